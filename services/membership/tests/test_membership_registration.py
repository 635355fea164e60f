"""Registration rules and use case, with in-memory fakes."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events.membership import UserRegisteredV1
from membership.domain.errors import EmailAlreadyRegistered
from membership.domain.users import User, normalize_email
from membership.service.registration import Registration, register_user

pytestmark = pytest.mark.unit
T = TypeVar("T")


class FakeUsers:
    def __init__(self) -> None:
        self.by_email: dict[str, User] = {}

    async def add(self, user: User, session: Any) -> None:
        if user.email in self.by_email:
            raise EmailAlreadyRegistered(user.email)
        session.append(("user", user))


class FakeOutbox:
    def __init__(self) -> None:
        self.events: list[AnyEvent] = []
        self.commits = 0

    async def add(self, session: Any, *events: AnyEvent) -> None:
        session.extend(("event", e) for e in events)

    def committed(self) -> None:
        self.commits += 1


class FakeTransactions:
    """Applies the session's writes only if the unit of work completes."""

    def __init__(self, users: FakeUsers, outbox: FakeOutbox) -> None:
        self.users = users
        self.outbox = outbox

    async def run(self, work: Callable[[Any], Awaitable[T]]) -> T:
        writes: list[tuple[str, Any]] = []
        result = await work(writes)
        for kind, item in writes:
            if kind == "user":
                self.users.by_email[item.email] = item
            else:
                self.outbox.events.append(item)
        return result


class FakeHasher:
    async def hash(self, password: str) -> str:
        return "hashed:" + password[::-1]

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == await self.hash(password)


@pytest.fixture
def ports() -> dict[str, Any]:
    users, outbox = FakeUsers(), FakeOutbox()
    return {
        "users": users,
        "outbox": outbox,
        "transactions": FakeTransactions(users, outbox),
        "hasher": FakeHasher(),
    }


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


async def test_registering_stores_user_and_announces_it_atomically(ports: dict[str, Any]) -> None:
    user = await register_user(
        Registration(
            email="Ada@Example.org", password="correct horse", display_name="Ada", locale="en"
        ),
        **ports,
    )
    assert ports["users"].by_email["ada@example.org"] == user
    assert user.password_hash == "hashed:esroh tcerroc"
    (event,) = ports["outbox"].events
    assert isinstance(event, UserRegisteredV1)
    assert event.subject == user.id
    assert event.source == "/cerchia/membership"
    assert event.data.email == "ada@example.org"
    assert event.data.locale == "en"
    assert ports["outbox"].commits == 1


async def test_duplicate_email_raises_and_announces_nothing(ports: dict[str, Any]) -> None:
    registration = Registration(
        email="ada@example.org", password="correct horse", display_name="Ada", locale="it"
    )
    await register_user(registration, **ports)
    with pytest.raises(EmailAlreadyRegistered):
        await register_user(
            Registration(email="ADA@example.org", password="x" * 12, display_name="B", locale="it"),
            **ports,
        )
    assert len(ports["outbox"].events) == 1
    assert ports["outbox"].commits == 1
