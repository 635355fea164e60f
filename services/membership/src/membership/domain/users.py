"""The user account: identity, display name and language."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

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

    @classmethod
    def register(
        cls,
        *,
        email: str,
        display_name: str,
        locale: Locale,
        password_hash: str,
        now: datetime,
    ) -> "User":
        """A new account with a fresh id."""
        return cls(
            id=str(uuid.uuid4()),
            email=normalize_email(email),
            display_name=" ".join(display_name.split()),
            locale=locale,
            password_hash=password_hash,
            created_at=now,
        )
