"""What the account, session, profile and privacy use cases need, bundled once: ``AccountPorts``.

``CommunityMembershipReader``, ``PersonalDataExporter`` and ``ErasureParticipant`` are extension
points: other parts of membership implement them and the composition root registers them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from cerchia_chassis.ports import EventOutbox, Session, Transactions
from membership.domain.credentials import OneTimeToken, TokenPurpose
from membership.domain.sessions import RefreshSession, RevocationReason
from membership.domain.throttling import Reservation
from membership.domain.users import User
from membership.service.ports import TokenSealer


class Accounts(Protocol):
    """User accounts with their profiles; handles are unique across accounts."""

    async def add(self, user: User, session: Session) -> None: ...

    async def by_id(self, user_id: str, session: Session | None = None) -> User | None: ...

    async def by_email(self, email: str, session: Session | None = None) -> User | None: ...

    async def save(self, user: User, session: Session) -> None:
        """Replace the stored account (it must exist)."""
        ...

    async def upgrade_password_hash(self, user_id: str, *, old_hash: str, new_hash: str) -> bool:
        """Replace the hash only if it is still ``old_hash``; whether it was replaced."""
        ...

    async def claim_handle(self, handle: str, user_id: str, session: Session) -> None:
        """Reserve ``handle`` for ``user_id``; raise HandleTaken if someone else holds it."""
        ...

    async def release_handle(self, handle: str, session: Session) -> None: ...

    async def delete(self, user_id: str, session: Session) -> None:
        """Remove the account and its handle."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing that can also waste the time of a verification for
    unknown accounts."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_absent(self, password: str) -> bool:
        """As long as ``verify`` takes, always False: timing must not reveal unknown emails."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash predates the current hashing parameters."""
        ...


class OneTimeTokens(Protocol):
    """Stored digests of verification and reset tokens."""

    async def replace(self, token: OneTimeToken, session: Session) -> None:
        """Store ``token``; earlier tokens of the same user and purpose stop working."""
        ...

    async def take(
        self, digest: str, purpose: TokenPurpose, session: Session
    ) -> OneTimeToken | None:
        """Remove and return the token with this digest and purpose (single use), if any."""
        ...

    async def for_user(self, user_id: str) -> list[OneTimeToken]: ...

    async def delete_for_user(
        self, user_id: str, session: Session, purpose: TokenPurpose | None = None
    ) -> None: ...


class RefreshSessions(Protocol):
    """Refresh-token families, one per login."""

    async def add(self, refresh: RefreshSession) -> None: ...

    async def get(
        self, session_id: str, session: Session | None = None
    ) -> RefreshSession | None: ...

    async def save(self, refresh: RefreshSession, session: Session | None = None) -> None: ...

    async def revoke_all(
        self,
        user_id: str,
        *,
        now: datetime,
        reason: RevocationReason,
        session: Session,
        keep: str | None = None,
    ) -> list[str]:
        """Revoke every live session of the user except ``keep``; return their ids."""
        ...

    async def for_user(self, user_id: str) -> list[RefreshSession]: ...

    async def delete_for_user(self, user_id: str, session: Session) -> None: ...


@dataclass(frozen=True)
class AccessToken:
    """A signed access token and its lifetime in seconds."""

    token: str
    expires_in: int


class AccessTokens(Protocol):
    """Signs short-lived access tokens."""

    def issue(self, *, user_id: str, session_id: str, now: datetime) -> AccessToken: ...


#: A throttle key: ``(scope, subject)``, e.g. ``("login-account", "ada@example.org")``.
ThrottleKey = tuple[str, str]


class AttemptThrottle(Protocol):
    """Counts attempts per key under each scope's policy, across replicas."""

    async def reserve(self, keys: Sequence[ThrottleKey], now: datetime) -> Reservation:
        """Count one attempt against every key; raise Throttled (counting nothing) if any is
        over its limit."""
        ...

    async def succeeded(self, reservation: Reservation) -> None:
        """The attempt was legitimate: do not hold it against the keys."""
        ...


class CommunityMembershipReader(Protocol):
    """Who shares a community with whom (implemented by the communities side)."""

    async def shares_community(self, a: str, b: str) -> bool: ...


class PersonalDataExporter(Protocol):
    """One area's part of a user's GDPR export (a JSON object)."""

    async def export(self, user_id: str) -> dict[str, Any]: ...


class ErasureParticipant(Protocol):
    """Deletes or anonymises one area's personal data inside the erasure transaction."""

    async def erase(self, user_id: str, session: Session) -> None: ...


@dataclass(frozen=True)
class ErasureConsequence:
    """What erasing a person does to a community they own."""

    community_id: str
    community_name: str
    #: ``handed_over`` to ``new_owner_id`` (the longest-serving moderator), or ``archived``.
    outcome: Literal["handed_over", "archived"]
    new_owner_id: str | None


class ErasureForecaster(Protocol):
    """Tells, before an erasure, what it would do beyond the person's own data."""

    async def consequences(self, user_id: str) -> list[ErasureConsequence]: ...


@dataclass(frozen=True)
class AccountPolicy:
    """The lifetimes the account use cases apply."""

    refresh_ttl: timedelta
    password_reset_ttl: timedelta
    email_verification_ttl: timedelta
    #: User ids of the platform's operators (disable and enable accounts).
    operators: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AccountPorts:
    """Every port the account, session, profile and privacy use cases share, so each takes one
    argument (besides the request's own values)."""

    transactions: Transactions
    outbox: EventOutbox
    accounts: Accounts
    hasher: PasswordHasher
    throttle: AttemptThrottle
    tokens: OneTimeTokens
    sessions: RefreshSessions
    access_tokens: AccessTokens
    #: Seals the single-use tokens the emails carry to the notifications service's key.
    sealer: TokenSealer
    policy: AccountPolicy
    #: Answers "do these two share a community?" for profile visibility.
    communities: CommunityMembershipReader
    #: Sections of the GDPR export, by name; each area of membership adds its own.
    exporters: Mapping[str, PersonalDataExporter]
    #: Erase their area's personal data inside the account-erasure transaction.
    erasure: Sequence[ErasureParticipant]
    #: Say beforehand what an erasure would do to others (communities handed over, archived).
    forecasters: Sequence[ErasureForecaster] = ()
