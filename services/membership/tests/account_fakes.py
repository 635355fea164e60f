"""In-memory fakes of the account ports, and a world of them for the account use-case tests."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cerchia_chassis.sealing import Opener, OpeningKey
from cerchia_chassis.testing import FakeOutbox, FakeTransactions, MemoryStore
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events.membership.tokens import sealing_context
from membership.domain.account_errors import EmailAlreadyRegistered, HandleTaken, Throttled
from membership.domain.credentials import OneTimeToken, TokenPurpose
from membership.domain.sessions import RefreshSession
from membership.domain.throttling import Counted, Reservation, ThrottlePolicy
from membership.domain.users import User
from membership.service.account_ports import AccessToken, AccountPolicy, AccountPorts
from membership.service.registration import Registration, register_user
from membership.service.sessions import log_in, refresh_session

NOW = datetime(2025, 5, 4, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
REFRESH_TTL = timedelta(days=30)
OPERATOR = "operator-1"


@dataclass
class Store(MemoryStore):
    """Every fake's state, so a failed unit of work rolls back as a whole."""

    users: dict[str, User] = field(default_factory=dict)
    handles: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, OneTimeToken] = field(default_factory=dict)
    sessions: dict[str, RefreshSession] = field(default_factory=dict)
    erased_by_participant: list[str] = field(default_factory=list)


class FakeAccounts:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, user: User, session: Any) -> None:
        if any(u.email == user.email for u in self.store.users.values()):
            raise EmailAlreadyRegistered(user.email)  # the unique email index
        self.store.users[user.id] = user

    async def by_id(self, user_id: str, session: Any = None) -> User | None:
        return self.store.users.get(user_id)

    async def by_email(self, email: str, session: Any = None) -> User | None:
        return next((u for u in self.store.users.values() if u.email == email), None)

    async def save(self, user: User, session: Any) -> None:
        self.store.users[user.id] = user

    async def upgrade_password_hash(self, user_id: str, *, old_hash: str, new_hash: str) -> bool:
        user = self.store.users.get(user_id)
        if user is None or user.password_hash != old_hash:
            return False
        self.store.users[user_id] = user.with_password(new_hash)
        return True

    async def claim_handle(self, handle: str, user_id: str, session: Any) -> None:
        if handle in self.store.handles:
            raise HandleTaken(handle)
        self.store.handles[handle] = user_id

    async def release_handle(self, handle: str, session: Any) -> None:
        self.store.handles.pop(handle, None)

    async def delete(self, user_id: str, session: Any) -> None:
        self.store.users.pop(user_id)
        self.store.handles = {h: u for h, u in self.store.handles.items() if u != user_id}


class FakeTokens:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def replace(self, token: OneTimeToken, session: Any) -> None:
        await self.delete_for_user(token.user_id, session, token.purpose)
        self.store.tokens[token.digest] = token

    async def take(self, digest: str, purpose: TokenPurpose, session: Any) -> OneTimeToken | None:
        token = self.store.tokens.get(digest)
        if token is None or token.purpose != purpose:
            return None
        return self.store.tokens.pop(digest)

    async def for_user(self, user_id: str) -> list[OneTimeToken]:
        return [t for t in self.store.tokens.values() if t.user_id == user_id]

    async def delete_for_user(
        self, user_id: str, session: Any, purpose: TokenPurpose | None = None
    ) -> None:
        self.store.tokens = {
            d: t
            for d, t in self.store.tokens.items()
            if not (t.user_id == user_id and purpose in (None, t.purpose))
        }


class FakeSessions:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, refresh: RefreshSession) -> None:
        self.store.sessions[refresh.id] = refresh

    async def get(self, session_id: str, session: Any = None) -> RefreshSession | None:
        return self.store.sessions.get(session_id)

    async def save(self, refresh: RefreshSession, session: Any = None) -> None:
        self.store.sessions[refresh.id] = refresh

    async def revoke_all(
        self, user_id: str, *, now: datetime, reason: Any, session: Any, keep: str | None = None
    ) -> list[str]:
        ids = []
        for s in list(self.store.sessions.values()):
            if s.user_id == user_id and s.id != keep and s.revoked_at is None:
                self.store.sessions[s.id] = s.revoke(now, reason)
                ids.append(s.id)
        return ids

    async def for_user(self, user_id: str) -> list[RefreshSession]:
        return [s for s in self.store.sessions.values() if s.user_id == user_id]

    async def delete_for_user(self, user_id: str, session: Any) -> None:
        self.store.sessions = {k: s for k, s in self.store.sessions.items() if s.user_id != user_id}


class FakeThrottle:
    """The Mongo adapter's algorithm over a dict of attempt logs.

    The logs stay off the store on purpose: the adapter writes them outside any transaction, so
    an attempt that is refused still counts (a rolled-back unit of work does not erase it).
    """

    def __init__(self, policies: dict[str, ThrottlePolicy]) -> None:
        self.policies = policies
        self.logs: dict[tuple[str, str], dict[str, datetime]] = {}

    async def reserve(self, keys: Sequence[tuple[str, str]], now: datetime) -> Reservation:
        counted, waits = [], []
        for scope, subject in keys:
            log = self.logs.setdefault((scope, subject), {})
            wait = self.policies[scope].retry_after(list(log.values()), now)
            entry = Counted(scope, subject)
            log[entry.attempt_id] = now
            counted.append(entry)
            if wait is not None:
                waits.append(wait)
        if waits:
            for c in counted:
                del self.logs[(c.scope, c.subject)][c.attempt_id]
            raise Throttled(max(waits))
        return tuple(counted)

    async def succeeded(self, reservation: Reservation) -> None:
        for c in reservation:
            if self.policies[c.scope].reset_on_success:
                self.logs.pop((c.scope, c.subject), None)
            else:
                del self.logs[(c.scope, c.subject)][c.attempt_id]


class FakeHasher:
    """``hashed:`` hashes are current; ``old:`` ones were made with parameters since raised."""

    async def hash(self, password: str) -> str:
        return "hashed:" + password

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash in ("hashed:" + password, "old:" + password)

    async def verify_absent(self, password: str) -> bool:
        return False

    def needs_rehash(self, password_hash: str) -> bool:
        return password_hash.startswith("old:")


class FakeAccessTokens:
    def issue(self, *, user_id: str, session_id: str, now: datetime) -> AccessToken:
        return AccessToken(token=f"access:{user_id}:{session_id}", expires_in=900)


class FakeCommunities:
    def __init__(self, pairs: set[frozenset[str]]) -> None:
        self.pairs = pairs

    async def shares_community(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.pairs


class RecordingParticipant:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def erase(self, user_id: str, session: Any) -> None:
        self.store.erased_by_participant.append(user_id)


@dataclass
class World:
    store: Store
    ports: AccountPorts
    transactions: FakeTransactions
    outbox: FakeOutbox
    accounts: FakeAccounts
    throttle: FakeThrottle

    def events(self, kind: type[AnyEvent]) -> list[Any]:
        return [e for e in self.store.events if isinstance(e, kind)]

    async def register(self, email: str = "ada@example.org") -> User:
        return await register_user(
            Registration(email=email, password=PASSWORD, display_name="Ada", locale="en"),
            ports=self.ports,
        )

    async def login(self, email: str = "ada@example.org", password: str = PASSWORD,
                    ip: str = "10.0.0.1", now: datetime = NOW) -> Any:  # fmt: skip
        return await log_in(email, password, ip, ports=self.ports, now=now)

    async def refresh(self, token: str, now: datetime = NOW) -> Any:
        return await refresh_session(token, ports=self.ports, now=now)


def account_world() -> World:
    """Fresh account ports over an empty store."""
    store = Store()
    window = timedelta(minutes=15)
    accounts = FakeAccounts(store)
    throttle = FakeThrottle(
        {
            "login-account": ThrottlePolicy(3, window, reset_on_success=True),
            "login-ip": ThrottlePolicy(10, window),
            "token-request-account": ThrottlePolicy(2, timedelta(hours=1)),
            "token-request-ip": ThrottlePolicy(20, timedelta(hours=1)),
            "sign-up-attempt-account": ThrottlePolicy(2, timedelta(hours=1)),
        }
    )
    transactions, outbox = FakeTransactions(store), FakeOutbox(store)
    ports = AccountPorts(
        transactions=transactions,
        outbox=outbox,
        accounts=accounts,
        hasher=FakeHasher(),
        throttle=throttle,
        tokens=FakeTokens(store),
        sessions=FakeSessions(store),
        access_tokens=FakeAccessTokens(),
        sealer=SEALER,
        policy=AccountPolicy(
            refresh_ttl=REFRESH_TTL,
            password_reset_ttl=timedelta(hours=1),
            email_verification_ttl=timedelta(hours=48),
            operators=frozenset({OPERATOR}),
        ),
        communities=FakeCommunities(set()),
        exporters={},
        erasure=(),
    )
    return World(store, ports, transactions, outbox, accounts, throttle)


#: The notifications service's key in these tests: membership seals tokens to its public half.
OPENING_KEY = OpeningKey.generate()
SEALER = OPENING_KEY.public


def secret(event: Any) -> str:
    """The token an event carries, opened as the notifications service opens it."""
    context = sealing_context(event.type, event.subject or "")
    return Opener([OPENING_KEY]).open(event.data.token, context=context)
