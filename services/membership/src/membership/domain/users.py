"""The user account: identity, credentials, display name, language and profile."""

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from membership.domain.profiles import DEFAULT_TIMEZONE, Profile, check_timezone
from membership.domain.public_profiles import PublicProfile

Locale = Literal["it", "en"]


def normalize_email(email: str) -> str:
    """One spelling per mailbox, so uniqueness cannot be dodged by case or spaces."""
    return email.strip().lower()


@dataclass(frozen=True)
class User:
    """A Cerchia account."""

    id: str
    email: str
    display_name: str
    locale: Locale
    password_hash: str
    created_at: datetime
    email_verified_at: datetime | None = None
    profile: Profile = field(default_factory=Profile)
    #: Set while an operator keeps the account disabled: no login, no refresh.
    disabled_at: datetime | None = None
    disabled_reason: str | None = None

    @property
    def email_verified(self) -> bool:
        """Whether the user proved they own ``email``."""
        return self.email_verified_at is not None

    @property
    def disabled(self) -> bool:
        """Whether an operator disabled the account."""
        return self.disabled_at is not None

    def disable(self, now: datetime, reason: str) -> "User":
        """The account disabled by an operator (the first time and the latest reason kept)."""
        return replace(self, disabled_at=self.disabled_at or now, disabled_reason=reason)

    def enable(self) -> "User":
        """The account usable again."""
        return replace(self, disabled_at=None, disabled_reason=None)

    @classmethod
    def register(
        cls,
        *,
        email: str,
        display_name: str,
        locale: Locale,
        password_hash: str,
        now: datetime,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> "User":
        """A new account with a fresh id, in ``timezone`` (an IANA zone, checked)."""
        return cls(
            id=str(uuid.uuid4()),
            email=normalize_email(email),
            display_name=" ".join(display_name.split()),
            locale=locale,
            password_hash=password_hash,
            created_at=now,
            profile=Profile(timezone=check_timezone(timezone)),
        )

    def verified(self, now: datetime) -> "User":
        """The account with its email verified (the first verification time is kept)."""
        return replace(self, email_verified_at=self.email_verified_at or now)

    def with_password(self, password_hash: str) -> "User":
        """The account with a new password hash."""
        return replace(self, password_hash=password_hash)

    def renamed(self, *, display_name: str | None = None, locale: Locale | None = None) -> "User":
        """The account with a new display name and/or language."""
        return replace(
            self,
            display_name=self.display_name
            if display_name is None
            else " ".join(display_name.split()),
            locale=locale or self.locale,
        )

    def with_profile(self, profile: Profile) -> "User":
        """The account with an edited profile."""
        return replace(self, profile=profile)

    def public_profile(self) -> PublicProfile:
        """The part of the profile fellow members see in the directory and introductions."""
        return PublicProfile(
            user_id=self.id,
            display_name=self.display_name,
            handle=self.profile.handle,
            headline=self.profile.headline,
            city=self.profile.city,
            skills=self.profile.skills,
            interests=self.profile.interests,
            asks=self.profile.asks,
            offers=self.profile.offers,
        )
