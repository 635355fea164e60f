"""Account use cases with in-memory fakes: registration, login throttling, sessions, passwords."""

from datetime import timedelta

import pytest

from cerchia_contracts.events.membership import (
    EmailVerificationRequestedV2,
    EmailVerifiedV1,
    PasswordChangedV1,
    PasswordResetRequestedV2,
)
from cerchia_contracts.events.membership.sessions import SessionsRevokedV1
from membership.domain.account_errors import (
    InvalidCredentials,
    InvalidOneTimeToken,
    InvalidRefreshToken,
    RefreshTokenReused,
    Throttled,
    WrongPassword,
)
from membership.service.passwords import change_password, request_password_reset, reset_password
from membership.service.sessions import log_out, log_out_everywhere
from membership.service.verification import verify_email
from services.membership.tests.account_fakes import (
    NOW,
    PASSWORD,
    World,
    account_world,
    secret,
)

pytestmark = pytest.mark.unit


@pytest.fixture
def world() -> World:
    return account_world()


async def test_registration_requests_the_verification_email_in_the_same_transaction(
    world: World,
) -> None:
    user = await world.register()
    (request,) = world.events(EmailVerificationRequestedV2)
    assert request.subject == user.id
    assert request.data.expires_at == user.created_at + timedelta(hours=48)
    (stored,) = world.store.tokens.values()
    assert stored.digest != secret(request)  # only the hash is stored

    verified = await verify_email(secret(request), ports=world.ports, now=NOW)
    assert verified.email_verified
    (event,) = world.events(EmailVerifiedV1)
    assert event.data.email == "ada@example.org"
    before = world.store.snapshot()
    with pytest.raises(InvalidOneTimeToken):  # single use
        await verify_email(secret(request), ports=world.ports, now=NOW)
    assert world.store.snapshot() == before  # a refused link writes nothing


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

    assert world.events(SessionsRevokedV1) == []  # a rotation ends nothing

    with pytest.raises(RefreshTokenReused):
        await world.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken) as error:
        await world.refresh(second.refresh_token)
    assert error.value.reason == "revoked"
    (revoked,) = world.events(SessionsRevokedV1)  # its access tokens die everywhere too
    assert revoked.data.session_ids == (first.session_id,)
    assert revoked.data.cause == "refresh_token_reused"


async def test_logout_ends_only_that_session(world: World) -> None:
    await world.register()
    phone, laptop = await world.login(), await world.login()
    await log_out(phone.refresh_token, ports=world.ports, now=NOW)
    await log_out("garbage", ports=world.ports, now=NOW)  # ignored
    await log_out(phone.refresh_token, ports=world.ports, now=NOW)  # already ended: no news
    with pytest.raises(InvalidRefreshToken):
        await world.refresh(phone.refresh_token)
    await world.refresh(laptop.refresh_token)
    (revoked,) = world.events(SessionsRevokedV1)
    assert (revoked.subject, revoked.data.session_ids) == (phone.user_id, (phone.session_id,))
    assert (revoked.data.cause, revoked.data.all_before) == ("logout", None)


async def test_changing_the_password_keeps_this_session_and_ends_the_others(
    world: World,
) -> None:
    user = await world.register()
    this, other = await world.login(), await world.login()
    before = world.store.snapshot()
    with pytest.raises(WrongPassword):
        await change_password(
            user.id, this.session_id, "not my password", "a new passphrase!",
            ports=world.ports, now=NOW,
        )  # fmt: skip
    assert world.store.snapshot() == before  # no password, session or event written
    await change_password(
        user.id, this.session_id, PASSWORD, "a new passphrase!", ports=world.ports, now=NOW
    )
    (told,) = world.events(PasswordChangedV1)
    assert (told.subject, told.data.cause) == (user.id, "changed")
    (revoked,) = world.events(SessionsRevokedV1)
    assert (revoked.data.session_ids, revoked.data.cause) == (
        (other.session_id,),
        "password_changed",
    )
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
        await request_password_reset(email, "10.0.0.1", ports=world.ports, now=NOW)

    async def reset(token: str) -> None:
        await reset_password(token, "brand new passphrase", ports=world.ports, now=NOW)

    await request("nobody@example.org")
    assert world.events(PasswordResetRequestedV2) == []
    await request("ADA@example.org")
    await request("ada@example.org")
    with pytest.raises(Throttled):
        await request("ada@example.org")
    older, newer = world.events(PasswordResetRequestedV2)
    assert newer.data.token.ciphertext != secret(newer)  # sealed, never in clear
    before = world.store.snapshot()
    with pytest.raises(InvalidOneTimeToken):
        await reset(secret(older))  # superseded by the newer link
    assert world.store.snapshot() == before  # the newer link still works, nothing changed
    await reset(secret(newer))
    (told,) = world.events(PasswordChangedV1)
    assert told.data.cause == "reset"
    with pytest.raises(InvalidOneTimeToken):
        await reset(secret(newer))
    with pytest.raises(InvalidRefreshToken):
        await world.refresh(session.refresh_token)
    (revoked,) = world.events(SessionsRevokedV1)
    assert (revoked.data.session_ids, revoked.data.cause) == (
        (session.session_id,),
        "password_reset",
    )
    await world.login(password="brand new passphrase")
    (verified,) = world.events(EmailVerifiedV1)  # the link proved the mailbox
    assert verified.data.user_id == newer.data.user_id


async def test_logging_out_everywhere_ends_every_session_of_mine_only(world: World) -> None:
    ada = await world.register()
    await world.register("bo@example.org")
    phone, laptop = await world.login(), await world.login()
    other = await world.login("bo@example.org")
    await log_out_everywhere(ada.id, ports=world.ports, now=NOW)
    for ended in (phone, laptop):
        with pytest.raises(InvalidRefreshToken) as error:
            await world.refresh(ended.refresh_token)
        assert error.value.reason == "revoked"
    assert {s.revoked_reason for s in world.store.sessions.values() if s.user_id == ada.id} == {
        "logout_all"
    }
    (revoked,) = world.events(SessionsRevokedV1)
    assert revoked.subject == ada.id
    assert set(revoked.data.session_ids) == {phone.session_id, laptop.session_id}
    assert revoked.data.cause == "logout_everywhere"
    await world.refresh(other.refresh_token)  # someone else's session goes on
    await world.login()  # and I can log in again


async def test_login_rehashes_a_password_hashed_with_older_parameters(world: World) -> None:
    user = await world.register()
    world.store.users[user.id] = user.with_password("old:" + PASSWORD)
    with pytest.raises(InvalidCredentials):
        await world.login(password="wrong password")
    assert world.store.users[user.id].password_hash == "old:" + PASSWORD  # only on success
    await world.login()
    assert world.store.users[user.id].password_hash == "hashed:" + PASSWORD
    await world.login()  # the new hash verifies


async def test_a_rehash_never_overwrites_a_password_changed_meanwhile(world: World) -> None:
    user = await world.register()
    assert not await world.accounts.upgrade_password_hash(
        user.id, old_hash="old:" + PASSWORD, new_hash="hashed:stale"
    )
    assert world.store.users[user.id].password_hash == "hashed:" + PASSWORD
