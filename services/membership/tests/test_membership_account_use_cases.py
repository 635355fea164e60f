"""Account use cases with in-memory fakes: login throttling, sessions, passwords, profiles, GDPR."""

import copy
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events.membership import (
    EmailVerificationRequestedV1,
    EmailVerifiedV1,
    PasswordResetRequestedV1,
    ProfileUpdatedV1,
    UserErasedV1,
)
from membership.domain.account_errors import (
    HandleTaken,
    InvalidCredentials,
    InvalidOneTimeToken,
    InvalidRefreshToken,
    ProfileRestricted,
    RefreshTokenReused,
    Throttled,
    WrongPassword,
)
from membership.domain.credentials import OneTimeToken, TokenPurpose
from membership.domain.sessions import RefreshSession
from membership.domain.throttling import Counted, Reservation, ThrottlePolicy
from membership.domain.users import User
from membership.service.account_ports import AccessToken
from membership.service.passwords import change_password, request_password_reset, reset_password
from membership.service.privacy import AccountExporter, erase_account, export_personal_data
from membership.service.profiles import update_profile, view_profile
from membership.service.registration import Registration, register_user
from membership.service.sessions import log_in, log_out, refresh_session
from membership.service.verification import EmailVerification, verify_email

pytestmark = pytest.mark.unit
T = TypeVar("T")
NOW = datetime(2025, 5, 4, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
REFRESH_TTL = timedelta(days=30)


@dataclass
class Store:
    """Every fake's state, so a failed unit of work can be rolled back as a whole."""

    users: dict[str, User] = field(default_factory=dict)
    handles: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, OneTimeToken] = field(default_factory=dict)
    sessions: dict[str, RefreshSession] = field(default_factory=dict)
    events: list[AnyEvent] = field(default_factory=list)
    erased_by_participant: list[str] = field(default_factory=list)


class FakeAccounts:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, user: User, session: Any) -> None:
        self.store.users[user.id] = user

    async def by_id(self, user_id: str, session: Any = None) -> User | None:
        return self.store.users.get(user_id)

    async def by_email(self, email: str, session: Any = None) -> User | None:
        return next((u for u in self.store.users.values() if u.email == email), None)

    async def save(self, user: User, session: Any) -> None:
        self.store.users[user.id] = user

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
    ) -> None:
        for s in list(self.store.sessions.values()):
            if s.user_id == user_id and s.id != keep:
                self.store.sessions[s.id] = s.revoke(now, reason)

    async def for_user(self, user_id: str) -> list[RefreshSession]:
        return [s for s in self.store.sessions.values() if s.user_id == user_id]

    async def delete_for_user(self, user_id: str, session: Any) -> None:
        self.store.sessions = {k: s for k, s in self.store.sessions.items() if s.user_id != user_id}


class FakeThrottle:
    """The Mongo adapter's algorithm over a dict of attempt logs."""

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


class FakeOutbox:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.commits = 0

    async def add(self, session: Any, *events: AnyEvent) -> None:
        self.store.events.extend(events)

    def committed(self) -> None:
        self.commits += 1


class FakeTransactions:
    """All or nothing: the store is restored if the unit of work raises."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def run(self, work: Callable[[Any], Awaitable[T]]) -> T:
        saved = copy.deepcopy(self.store.__dict__)
        try:
            return await work(object())
        except BaseException:
            self.store.__dict__.update(saved)
            raise


class FakeHasher:
    async def hash(self, password: str) -> str:
        return "hashed:" + password

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "hashed:" + password

    async def verify_absent(self, password: str) -> bool:
        return False


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
    accounts: FakeAccounts
    tokens: FakeTokens
    sessions: FakeSessions
    throttle: FakeThrottle
    outbox: FakeOutbox
    transactions: FakeTransactions
    hasher: FakeHasher
    access_tokens: FakeAccessTokens

    def events(self, kind: type[AnyEvent]) -> list[Any]:
        return [e for e in self.store.events if isinstance(e, kind)]

    async def register(self, email: str = "ada@example.org") -> User:
        verification = EmailVerification(
            tokens=self.tokens, outbox=self.outbox, ttl=timedelta(hours=48)
        )
        return await register_user(
            Registration(email=email, password=PASSWORD, display_name="Ada", locale="en"),
            users=self.accounts,
            outbox=self.outbox,
            transactions=self.transactions,
            hasher=self.hasher,
            participants=(verification,),
        )

    async def login(self, email: str = "ada@example.org", password: str = PASSWORD,
                    ip: str = "10.0.0.1", now: datetime = NOW) -> Any:  # fmt: skip
        return await log_in(
            email, password, ip,
            accounts=self.accounts, hasher=self.hasher, throttle=self.throttle,
            sessions=self.sessions, access_tokens=self.access_tokens,
            refresh_ttl=REFRESH_TTL, now=now,
        )  # fmt: skip

    async def refresh(self, token: str, now: datetime = NOW) -> Any:
        return await refresh_session(
            token, sessions=self.sessions, access_tokens=self.access_tokens,
            transactions=self.transactions, refresh_ttl=REFRESH_TTL, now=now,
        )  # fmt: skip


@pytest.fixture
def world() -> World:
    store = Store()
    window = timedelta(minutes=15)
    return World(
        store=store,
        accounts=FakeAccounts(store),
        tokens=FakeTokens(store),
        sessions=FakeSessions(store),
        throttle=FakeThrottle(
            {
                "login-account": ThrottlePolicy(3, window, reset_on_success=True),
                "login-ip": ThrottlePolicy(10, window),
                "token-request-account": ThrottlePolicy(2, timedelta(hours=1)),
                "token-request-ip": ThrottlePolicy(20, timedelta(hours=1)),
            }
        ),
        outbox=FakeOutbox(store),
        transactions=FakeTransactions(store),
        hasher=FakeHasher(),
        access_tokens=FakeAccessTokens(),
    )


def secret(event: Any) -> str:
    return str(event.data.token)


async def test_registration_requests_the_verification_email_in_the_same_transaction(
    world: World,
) -> None:
    user = await world.register()
    (request,) = world.events(EmailVerificationRequestedV1)
    assert request.subject == user.id
    assert request.data.expires_at == user.created_at + timedelta(hours=48)
    (stored,) = world.store.tokens.values()
    assert stored.digest != secret(request)  # only the hash is stored

    verified = await verify_email(
        secret(request), accounts=world.accounts, tokens=world.tokens, outbox=world.outbox,
        transactions=world.transactions, now=NOW,
    )  # fmt: skip
    assert verified.email_verified
    (event,) = world.events(EmailVerifiedV1)
    assert event.data.email == "ada@example.org"
    with pytest.raises(InvalidOneTimeToken):  # single use
        await verify_email(
            secret(request), accounts=world.accounts, tokens=world.tokens, outbox=world.outbox,
            transactions=world.transactions, now=NOW,
        )  # fmt: skip


async def test_login_failures_are_throttled_per_account_and_a_success_resets_the_account(
    world: World,
) -> None:
    await world.register()
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            await world.login(password="wrong password")
    await world.login()  # success forgets the account's failures
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await world.login(password="wrong password")
    with pytest.raises(Throttled) as throttled:
        await world.login()  # even the right password waits: the account is locked for now
    assert throttled.value.retry_after == timedelta(minutes=15)
    # Another account from another address is unaffected.
    await world.register("bo@example.org")
    await world.login("bo@example.org", ip="10.0.0.2")
    # Once the window has slid past, the account may try again.
    await world.login(now=NOW + timedelta(minutes=31))


async def test_unknown_accounts_fail_like_wrong_passwords_and_count_per_address(
    world: World,
) -> None:
    for i in range(10):
        with pytest.raises(InvalidCredentials):
            await world.login(f"nobody{i}@example.org")
    await world.register()
    with pytest.raises(Throttled):
        await world.login()  # this address spent its 10 failures


async def test_refresh_rotates_and_a_replayed_token_revokes_the_family(world: World) -> None:
    await world.register()
    first = await world.login()
    second = await world.refresh(first.refresh_token)
    assert second.session_id == first.session_id
    assert second.refresh_token != first.refresh_token

    with pytest.raises(RefreshTokenReused):
        await world.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken) as error:
        await world.refresh(second.refresh_token)
    assert error.value.reason == "revoked"


async def test_logout_ends_only_that_session(world: World) -> None:
    await world.register()
    phone, laptop = await world.login(), await world.login()
    await log_out(phone.refresh_token, sessions=world.sessions, now=NOW)
    await log_out("garbage", sessions=world.sessions, now=NOW)  # ignored
    with pytest.raises(InvalidRefreshToken):
        await world.refresh(phone.refresh_token)
    await world.refresh(laptop.refresh_token)


async def test_changing_the_password_keeps_this_session_and_ends_the_others(
    world: World,
) -> None:
    user = await world.register()
    this, other = await world.login(), await world.login()
    with pytest.raises(WrongPassword):
        await change_password(
            user.id, this.session_id, "not my password", "a new passphrase!",
            accounts=world.accounts, hasher=world.hasher, throttle=world.throttle,
            sessions=world.sessions, transactions=world.transactions, now=NOW,
        )  # fmt: skip
    await change_password(
        user.id, this.session_id, PASSWORD, "a new passphrase!",
        accounts=world.accounts, hasher=world.hasher, throttle=world.throttle,
        sessions=world.sessions, transactions=world.transactions, now=NOW,
    )  # fmt: skip
    await world.refresh(this.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh(other.refresh_token)
    with pytest.raises(InvalidCredentials):
        await world.login()
    await world.login(password="a new passphrase!")


async def test_password_reset_is_silent_for_unknown_emails_single_use_and_ends_sessions(
    world: World,
) -> None:
    await world.register()
    session = await world.login()

    async def request(email: str) -> None:
        await request_password_reset(
            email, "10.0.0.1", accounts=world.accounts, tokens=world.tokens,
            throttle=world.throttle, outbox=world.outbox, transactions=world.transactions,
            ttl=timedelta(hours=1), now=NOW,
        )  # fmt: skip

    async def reset(token: str) -> None:
        await reset_password(
            token, "brand new passphrase", accounts=world.accounts, tokens=world.tokens,
            hasher=world.hasher, sessions=world.sessions, outbox=world.outbox,
            transactions=world.transactions, now=NOW,
        )  # fmt: skip

    await request("nobody@example.org")
    assert world.events(PasswordResetRequestedV1) == []
    await request("ADA@example.org")
    await request("ada@example.org")
    with pytest.raises(Throttled):
        await request("ada@example.org")
    older, newer = world.events(PasswordResetRequestedV1)
    with pytest.raises(InvalidOneTimeToken):
        await reset(secret(older))  # superseded by the newer link
    await reset(secret(newer))
    with pytest.raises(InvalidOneTimeToken):
        await reset(secret(newer))
    with pytest.raises(InvalidRefreshToken):
        await world.refresh(session.refresh_token)
    await world.login(password="brand new passphrase")
    (verified,) = world.events(EmailVerifiedV1)  # the link proved the mailbox
    assert verified.data.user_id == newer.data.user_id


async def test_profile_update_claims_the_handle_and_announces_the_full_profile(
    world: World,
) -> None:
    ada, bo = await world.register(), await world.register("bo@example.org")

    async def update(user: User, changes: dict[str, Any]) -> User:
        return await update_profile(
            user.id, changes, accounts=world.accounts, outbox=world.outbox,
            transactions=world.transactions,
        )  # fmt: skip

    updated = await update(ada, {"handle": "@Ada", "skills": ["Python"], "display_name": "Ada L"})
    assert updated.profile.handle == "ada"
    assert updated.display_name == "Ada L"
    (event,) = world.events(ProfileUpdatedV1)
    assert event.data.handle == "ada"
    assert event.data.skills == ("Python",)

    with pytest.raises(HandleTaken):
        await update(bo, {"handle": "ADA", "city": "Milan"})
    assert world.store.users[bo.id].profile.city is None  # nothing half-written

    await update(ada, {"handle": "ada_l"})
    await update(bo, {"handle": "ada"})  # released by the rename
    assert world.store.handles == {"ada_l": ada.id, "ada": bo.id}
    events = len(world.events(ProfileUpdatedV1))
    await update(bo, {"handle": "ada"})  # no change, no event
    assert len(world.events(ProfileUpdatedV1)) == events


async def test_profiles_are_visible_to_fellow_members_or_to_the_platform(world: World) -> None:
    ada, bo, cy = [await world.register(f"{n}@example.org") for n in ("ada", "bo", "cy")]
    communities = FakeCommunities({frozenset((ada.id, bo.id))})

    async def view(viewer: User, owner: User) -> User:
        return await view_profile(
            viewer.id, owner.id, accounts=world.accounts, communities=communities
        )

    assert (await view(bo, ada)).id == ada.id
    with pytest.raises(ProfileRestricted):
        await view(cy, ada)
    await update_profile(
        ada.id, {"visibility": "platform"}, accounts=world.accounts, outbox=world.outbox,
        transactions=world.transactions,
    )  # fmt: skip
    assert (await view(cy, ada)).id == ada.id


async def test_export_composes_every_area_and_erasure_removes_everything_at_once(
    world: World,
) -> None:
    user = await world.register()
    await world.login()

    class CommunitiesExporter:
        async def export(self, user_id: str) -> dict[str, Any]:
            return {"memberships": [{"user_id": user_id, "community": "c1"}]}

    exporters = {
        "account": AccountExporter(
            accounts=world.accounts, sessions=world.sessions, tokens=world.tokens
        ),
        "communities": CommunitiesExporter(),
    }
    document = await export_personal_data(user.id, exporters=exporters, now=NOW)
    assert document["sections"]["account"]["account"]["email"] == "ada@example.org"
    assert len(document["sections"]["account"]["sessions"]) == 1
    assert document["sections"]["account"]["pending_links"][0]["purpose"] == "verify_email"
    assert document["sections"]["communities"]["memberships"][0]["user_id"] == user.id
    assert "hashed:" not in repr(document)

    async def erase(password: str, participants: Sequence[Any]) -> None:
        await erase_account(
            user.id, password, accounts=world.accounts, hasher=world.hasher,
            throttle=world.throttle, tokens=world.tokens, sessions=world.sessions,
            participants=participants, outbox=world.outbox, transactions=world.transactions,
            now=NOW,
        )  # fmt: skip

    class FailingParticipant:
        async def erase(self, user_id: str, session: Any) -> None:
            raise RuntimeError("communities store is down")

    with pytest.raises(WrongPassword):
        await erase("not my password", [RecordingParticipant(world.store)])
    with pytest.raises(RuntimeError):
        await erase(PASSWORD, [RecordingParticipant(world.store), FailingParticipant()])
    assert user.id in world.store.users  # all or nothing
    assert world.events(UserErasedV1) == []

    await erase(PASSWORD, [RecordingParticipant(world.store)])
    assert world.store.users == {}
    assert world.store.tokens == {}
    assert world.store.sessions == {}
    assert world.store.erased_by_participant == [user.id]
    (erased,) = world.events(UserErasedV1)
    assert erased.subject == user.id
