"""Welcome use case, dispatch and email composition, with in-memory fakes."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from cerchia_contracts.events.membership import UserRegistered, UserRegisteredV1
from notifications.adapters.smtp import SmtpEmailSender
from notifications.adapters.templates import EmailTemplates
from notifications.domain.deliveries import Channel, Delivery, idempotency_key, retry_delay
from notifications.service.dispatch import dispatch_due
from notifications.service.welcome import on_user_registered
from notifications.settings import NotificationsSettings

pytestmark = pytest.mark.unit


class FakeInbox:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    async def process_once(
        self, *, consumer: str, event_id: str, effect: Callable[[Any], Awaitable[None]]
    ) -> bool:
        if (consumer, event_id) in self.seen:
            return False
        await effect(None)
        self.seen.add((consumer, event_id))
        return True


class FakeUsers:
    def __init__(self) -> None:
        self.users: dict[str, dict[str, str]] = {}

    async def upsert(self, *, user_id: str, session: Any, **fields: str) -> None:
        self.users[user_id] = fields


class FakeQueue:
    def __init__(self) -> None:
        self.items: dict[str, Delivery] = {}
        self.sent: list[str] = []
        self.failed: list[tuple[str, datetime | None]] = []
        self.wakes = 0

    async def enqueue(self, deliveries: Sequence[Delivery], session: Any) -> None:
        for d in deliveries:
            self.items[d.key] = d

    async def claim_due(self, *, limit: int, now: datetime) -> list[Delivery]:
        due = [d for k, d in self.items.items() if k not in self.sent][:limit]
        return [
            Delivery(**{**d.__dict__, "attempts": d.attempts + 1})  # type: ignore[arg-type]
            for d in due
        ]

    async def mark_sent(self, key: str, *, now: datetime) -> None:
        self.sent.append(key)

    async def mark_failed(self, key: str, *, error: str, retry_at: datetime | None) -> None:
        self.failed.append((key, retry_at))
        self.items[key] = Delivery(**{**self.items[key].__dict__, "attempts": 99})  # type: ignore[arg-type]

    def wake(self) -> None:
        self.wakes += 1


def registered(locale: str = "it", name: str = "Ada") -> UserRegisteredV1:
    return UserRegisteredV1.new(
        subject="u-1",
        data=UserRegistered(
            user_id="u-1", email="ada@example.org", display_name=name, locale=locale
        ),  # type: ignore[arg-type]
    )


async def test_welcome_is_queued_once_per_event_whatever_the_redeliveries() -> None:
    inbox, users, queue = FakeInbox(), FakeUsers(), FakeQueue()
    event = registered()
    assert await on_user_registered(event, inbox=inbox, users=users, deliveries=queue)
    assert not await on_user_registered(event, inbox=inbox, users=users, deliveries=queue)
    (delivery,) = queue.items.values()
    assert delivery.key == idempotency_key(event.id, "u-1", Channel.EMAIL)
    assert delivery.address == "ada@example.org"
    assert users.users["u-1"]["locale"] == "it"
    assert queue.wakes == 1


class RecordingSender:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Delivery] = []
        self.fail = fail

    async def send(self, delivery: Delivery) -> None:
        if self.fail:
            raise ConnectionRefusedError("smtp down")
        self.sent.append(delivery)


async def test_dispatch_sends_due_deliveries_and_marks_them_sent() -> None:
    queue, sender = FakeQueue(), RecordingSender()
    await on_user_registered(registered(), inbox=FakeInbox(), users=FakeUsers(), deliveries=queue)
    assert await dispatch_due(deliveries=queue, email=sender, batch_size=10, max_attempts=3) == 1
    assert [d.address for d in sender.sent] == ["ada@example.org"]
    assert queue.sent == [sender.sent[0].key]


async def test_dispatch_failure_schedules_a_retry_then_gives_up() -> None:
    queue = FakeQueue()
    await on_user_registered(registered(), inbox=FakeInbox(), users=FakeUsers(), deliveries=queue)
    await dispatch_due(
        deliveries=queue, email=RecordingSender(fail=True), batch_size=10, max_attempts=3
    )
    ((_, retry_at),) = queue.failed
    assert retry_at is not None
    assert retry_at > datetime.now(UTC)
    await dispatch_due(
        deliveries=queue, email=RecordingSender(fail=True), batch_size=10, max_attempts=3
    )
    assert queue.failed[-1][1] is None  # attempts exhausted: given up, not retried forever


def test_retry_delay_grows_and_is_capped() -> None:
    assert retry_delay(1) < retry_delay(2) < retry_delay(3)
    assert retry_delay(50) == timedelta(hours=1)


def compose(locale: str, name: str) -> EmailMessage:
    sender = SmtpEmailSender(
        NotificationsSettings(), EmailTemplates(base_url="https://cerchia.example/")
    )
    delivery = Delivery(
        key="ev-1:u-1:email",
        event_id="ev-1",
        recipient_id="u-1",
        channel=Channel.EMAIL,
        template="welcome",
        locale=locale,
        address="ada@example.org",
        context={"display_name": name},
        created_at=datetime.now(UTC),
    )
    return sender.compose(delivery)


@pytest.mark.parametrize(("locale", "subject"), [("it", "Benvenuto"), ("en", "Welcome")])
def test_welcome_email_is_multipart_in_the_users_language(locale: str, subject: str) -> None:
    message = compose(locale, "Ada")
    assert message["Subject"].startswith(subject)
    assert message["To"] == "ada@example.org"
    assert message["Message-ID"] == "<ev-1.u-1.email@cerchia.local>"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "Ada" in text.get_content()
    assert "https://cerchia.example" in html.get_content()


def test_unknown_locale_falls_back_to_italian_and_html_is_escaped() -> None:
    message = compose("de", "<script>alert(1)</script>")
    assert message["Subject"].startswith("Benvenuto")
    html = message.get_body(("html",))
    assert html is not None
    assert "<script>" not in html.get_content()
    assert "&lt;script&gt;" in html.get_content()
