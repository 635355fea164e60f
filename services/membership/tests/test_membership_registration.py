"""Registration rules and use case, with in-memory fakes."""

from datetime import UTC, datetime

import pytest

from cerchia_contracts.events.membership import (
    EmailVerificationRequestedV2,
    ProfileUpdatedV1,
    SignUpAttempted,
    SignUpAttemptedV1,
    UserRegistered,
    UserRegisteredV1,
)
from membership.domain.account_errors import InvalidProfile
from membership.domain.users import User, normalize_email
from membership.service.registration import Registration, register_user
from services.membership.tests.account_fakes import World, account_world

pytestmark = pytest.mark.unit


@pytest.fixture
def world() -> World:
    return account_world()


def test_email_is_normalised_so_case_cannot_dodge_uniqueness() -> None:
    assert normalize_email("  Ada@Example.ORG ") == "ada@example.org"


def test_register_collapses_whitespace_in_display_name() -> None:
    user = User.register(
        email="a@b.it",
        display_name="  Ada   Lovelace ",
        locale="en",
        password_hash="h",
        now=datetime.now(UTC),
    )
    assert user.display_name == "Ada Lovelace"
    assert len(user.id) == 36


async def test_registering_stores_user_and_announces_it_atomically(world: World) -> None:
    user = await register_user(
        Registration(
            email="Ada@Example.org", password="correct horse", display_name="Ada", locale="en"
        ),
        ports=world.ports,
    )
    assert world.store.users[user.id] == user
    assert user.email == "ada@example.org"
    assert user.password_hash == "hashed:correct horse"
    assert world.store.emitted() == [
        UserRegisteredV1,
        ProfileUpdatedV1,
        EmailVerificationRequestedV2,
    ]
    (event,) = world.events(UserRegisteredV1)
    assert event.subject == user.id
    assert event.source == "/cerchia/membership"
    assert isinstance(event.data, UserRegistered)
    assert event.data.email == "ada@example.org"
    assert event.data.locale == "en"
    assert world.outbox.commits == 1


async def test_a_taken_email_is_answered_as_a_new_one_and_its_owner_is_told(
    world: World,
) -> None:
    registration = Registration(
        email="ada@example.org", password="correct horse", display_name="Ada", locale="it"
    )
    owner = await register_user(registration, ports=world.ports)
    before = world.store.snapshot()
    emitted = len(world.store.emitted())
    answer = await register_user(
        Registration(email="ADA@example.org", password="x" * 12, display_name="B", locale="en"),
        ports=world.ports,
    )
    # The same answer as a new account: an account of the same shape, never stored.
    assert type(answer) is User
    assert answer.id != owner.id
    assert (answer.email, answer.display_name, answer.locale) == ("ada@example.org", "B", "en")
    assert not answer.email_verified
    assert answer.password_hash == "hashed:" + "x" * 12  # hashed all the same: same time taken
    assert answer.id not in world.store.users
    assert world.store.users[owner.id] == owner
    # No second account, token, registration or verification: only the owner is told.
    assert world.store.emitted()[emitted:] == [SignUpAttemptedV1]
    (attempt,) = world.events(SignUpAttemptedV1)
    assert attempt.subject == owner.id
    assert attempt.data == SignUpAttempted(user_id=owner.id)
    assert world.store.snapshot()["users"] == before["users"]
    assert world.outbox.commits == 2


async def test_the_owner_is_told_within_a_budget_and_the_answer_never_changes(
    world: World,
) -> None:
    def attempt(name: str) -> Registration:
        return Registration(
            email="ada@example.org", password="x" * 12, display_name=name, locale="en"
        )

    await register_user(attempt("Ada"), ports=world.ports)
    answers = [await register_user(attempt(f"M{i}"), ports=world.ports) for i in range(5)]
    assert [a.display_name for a in answers] == [f"M{i}" for i in range(5)]  # no 429 ever
    assert len(world.events(SignUpAttemptedV1)) == 2  # the budget (2 an hour in the fakes)
    # A budget of its own: the owner's verification and reset emails are not used up.
    assert not world.throttle.logs.get(("token-request-account", "ada@example.org"))


async def test_sign_up_takes_a_time_zone_and_defaults_to_utc(world: World) -> None:
    def person(email: str, timezone: str | None) -> Registration:
        return Registration(
            email=email, password="x" * 12, display_name="Ada", locale="en", timezone=timezone
        )

    chosen = await register_user(person("ada@example.org", "America/New_York"), ports=world.ports)
    unset = await register_user(person("bo@example.org", None), ports=world.ports)
    assert (chosen.profile.timezone, unset.profile.timezone) == ("America/New_York", "UTC")
    registered = {e.data.user_id: e.data.timezone for e in world.events(UserRegisteredV1)}
    profiles = {e.data.user_id: e.data.timezone for e in world.events(ProfileUpdatedV1)}
    assert registered == profiles == {chosen.id: "America/New_York", unset.id: "UTC"}

    before = world.store.snapshot()
    with pytest.raises(InvalidProfile) as refused:
        await register_user(person("cy@example.org", "Mars/Olympus_Mons"), ports=world.ports)
    assert refused.value.errors == {"timezone": "'Mars/Olympus_Mons' is not an IANA time zone"}
    assert world.store.snapshot() == before
