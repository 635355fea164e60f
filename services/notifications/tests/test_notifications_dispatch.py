"""Sending with in-memory ports: outcomes through the outbox, retries, rate limits, settings."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from cerchia_contracts.catalog import NOTIFICATIONS_DELIVERIES, topic_of
from cerchia_contracts.events import notifications as n
from notifications.adapters.rate_limits import ProviderRateLimits
from notifications.domain.categories import Category
from notifications.domain.deliveries import (
    Channel,
    Delivery,
    PermanentDeliveryError,
    ThrottledDelivery,
    TransientDeliveryError,
    public_reason,
)
from notifications.service.dispatch import Dispatcher
from notifications.settings import NotificationsSettings

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def delivery(key: str = "ev-1:u-1:email", **overrides: Any) -> Delivery:
    fields: dict[str, Any] = {
        "key": key,
        "event_id": key.split(":", maxsplit=1)[0],
        "recipient_id": "u-1",
        "channel": Channel.EMAIL,
        "template": "application_submitted",
        "locale": "en",
        "address": "ada@example.org",
        "context": {},
        "created_at": NOW,
        "category": Category.MEMBERSHIP,
        "community_id": "c-1",
        "attempts": 1,
    }
    fields.update(overrides)
    return Delivery(**fields)


class Queue:
    """The delivery queue, recording what happened to each delivery and in which session."""

    def __init__(self, due: Sequence[Delivery]) -> None:
        self.due = list(due)
        self.sent: list[tuple[str, Any]] = []
        self.failed: list[tuple[str, datetime | None, Any]] = []
        self.postponed: list[tuple[str, datetime]] = []

    async def claim_due(self, *, limit: int, now: datetime) -> list[Delivery]:
        taken, self.due = self.due[:limit], self.due[limit:]
        return taken

    async def mark_sent(self, ds: Sequence[Delivery], *, now: datetime, session: Any) -> None:
        self.sent.extend((d.key, session) for d in ds)

    async def mark_failed(
        self, d: Delivery, *, error: str, retry_at: datetime | None, session: Any = None
    ) -> None:
        self.failed.append((d.key, retry_at, session))

    async def postpone(self, d: Delivery, *, until: datetime) -> None:
        self.postponed.append((d.key, until))


class Transactions:
    def __init__(self) -> None:
        self.runs = 0

    async def run(self, work: Callable[[Any], Awaitable[Any]]) -> Any:
        self.runs += 1
        return await work(f"session-{self.runs}")


class Outbox:
    def __init__(self) -> None:
        self.events: list[tuple[Any, Any]] = []
        self.wakes = 0

    async def add(self, session: Any, *events: Any) -> None:
        self.events.extend((session, e) for e in events)

    def committed(self) -> None:
        self.wakes += 1


class Sender:
    def __init__(self, errors: dict[str, Exception]) -> None:
        self.errors = errors
        self.calls: list[str] = []

    async def send(self, d: Delivery) -> None:
        self.calls.append(d.key)
        if d.key in self.errors:
            raise self.errors[d.key]


def dispatcher(queue: Queue, sender: Sender, outbox: Outbox, **kw: Any) -> Dispatcher:
    return Dispatcher(
        deliveries=queue,  # type: ignore[arg-type]
        senders={Channel.EMAIL: sender, Channel.WEBHOOK: sender},
        transactions=Transactions(),
        outbox=outbox,
        max_attempts=kw.get("max_attempts", 3),
        concurrency=kw.get("concurrency", 16),
        clock=lambda: NOW,
    )


async def test_each_final_outcome_is_written_with_its_state_in_one_transaction() -> None:
    ok, refused = delivery("ev-1:u-1:email"), delivery("ev-2:u-1:email")
    tired = delivery("ev-3:u-1:email", attempts=3)
    queue, outbox = Queue([ok, refused, tired]), Outbox()
    sender = Sender(
        {
            refused.key: PermanentDeliveryError("SMTP 550: <ada@example.org> unknown"),
            tired.key: TransientDeliveryError("SMTP 451: try later"),
        }
    )
    assert await dispatcher(queue, sender, outbox).dispatch_due(batch_size=10) == 3

    (sent_key, sent_session), *_ = queue.sent
    assert sent_key == ok.key
    by_key = {event.data.delivery_key: (session, event) for session, event in outbox.events}
    assert by_key[ok.key][0] == sent_session  # state and event commit together
    assert isinstance(by_key[ok.key][1], n.DeliverySucceededV1)
    failed_sessions = {key: session for key, _, session in queue.failed}
    for key, permanent in ((refused.key, True), (tired.key, False)):
        session, event = by_key[key]
        assert isinstance(event, n.DeliveryFailedV1)
        assert session == failed_sessions[key]
        assert event.data.permanent is permanent
    refusal = by_key[refused.key][1]
    assert refusal.data.reason == "SMTP 550: <<address>> unknown"
    assert refusal.data.recipient_id == "u-1"
    assert refusal.subject == "c-1"
    assert topic_of(refusal) is NOTIFICATIONS_DELIVERIES
    assert outbox.wakes == 1  # one group, one commit


class SlowSender:
    """Counts how many sends are in flight at once."""

    def __init__(self) -> None:
        self.in_flight = self.most = 0

    async def send(self, d: Delivery) -> None:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1


async def test_a_batch_is_sent_in_concurrent_groups_each_recorded_in_one_transaction() -> None:
    batch = [delivery(f"ev-{i}:u-1:email") for i in range(40)]
    queue, outbox, sender = Queue(batch), Outbox(), SlowSender()
    transactions = Transactions()
    dispatch = Dispatcher(
        deliveries=queue,  # type: ignore[arg-type]
        senders={Channel.EMAIL: sender},
        transactions=transactions,
        outbox=outbox,
        max_attempts=3,
        concurrency=16,
        clock=lambda: NOW,
    )
    assert await dispatch.dispatch_due(batch_size=100) == 40
    assert sender.most == 16
    assert transactions.runs == outbox.wakes == 3  # 16 + 16 + 8
    assert sorted(key for key, _ in queue.sent) == sorted(d.key for d in batch)
    sessions = dict(queue.sent)
    assert {sessions[e.data.delivery_key] for _, e in outbox.events} == {
        "session-1",
        "session-2",
        "session-3",
    }
    assert all(sessions[e.data.delivery_key] == s for s, e in outbox.events)


async def test_a_transient_failure_before_the_last_attempt_waits_and_publishes_nothing() -> None:
    flaky = delivery(attempts=1)
    queue, outbox = Queue([flaky]), Outbox()
    sender = Sender({flaky.key: TransientDeliveryError("connection refused")})
    await dispatcher(queue, sender, outbox).dispatch_due(batch_size=10)
    ((key, retry_at, session),) = queue.failed
    assert key == flaky.key
    assert session is None
    assert retry_at is not None
    assert NOW + timedelta(seconds=3) <= retry_at <= NOW + timedelta(seconds=7)
    assert outbox.events == []


async def test_a_used_up_provider_rate_postpones_without_an_attempt_or_an_outcome() -> None:
    held = delivery()
    queue, outbox = Queue([held]), Outbox()
    sender = Sender({held.key: ThrottledDelivery("smtp 127.0.0.1", 0.5)})
    await dispatcher(queue, sender, outbox).dispatch_due(batch_size=10)
    assert queue.postponed == [(held.key, NOW + timedelta(seconds=0.5))]
    assert queue.failed == []
    assert outbox.events == []


async def test_an_address_standing_for_the_recipient_is_never_published() -> None:
    invitation = delivery(
        "ev-9:new@example.org:email", recipient_id="new@example.org", address="new@example.org"
    )
    webhook = delivery("ev-9:hook-1:webhook", recipient_id="hook-1", address="https://x.example/h")
    queue, outbox = Queue([invitation, webhook]), Outbox()
    await dispatcher(queue, Sender({}), outbox).dispatch_due(batch_size=10)
    recipients = {e.data.delivery_key: e.data.recipient_id for _, e in outbox.events}
    assert recipients == {invitation.key: None, webhook.key: "hook-1"}


def test_public_reasons_lose_addresses_and_length() -> None:
    assert public_reason("550 5.1.1 bo.x@mail.example.org: no such user") == (
        "550 5.1.1 <address>: no such user"
    )
    assert len(public_reason("x" * 5000)) == 500


async def test_provider_rates_hold_per_host_and_take_all_or_nothing() -> None:
    limits = ProviderRateLimits({"push": "2/minute"})
    await limits.take("push", "fcm.example")
    await limits.take("push", "fcm.example")
    with pytest.raises(ThrottledDelivery) as throttled:
        await limits.take("push", "fcm.example")
    assert 0 < throttled.value.retry_after_s <= 60
    await limits.take("push", "mozilla.example")
    # One host full: nothing is counted on the other either.
    with pytest.raises(ThrottledDelivery):
        await limits.take("push", "mozilla.example", "fcm.example")
    await limits.take("push", "mozilla.example")
    with pytest.raises(ThrottledDelivery):
        await limits.take("push", "mozilla.example")


def test_production_refuses_to_start_without_its_secrets() -> None:
    with pytest.raises(ValidationError) as refused:
        NotificationsSettings(environment="production")
    message = str(refused.value)
    assert "NOTIFICATIONS_VAPID_PRIVATE_KEY" in message
    assert "NOTIFICATIONS_UNSUBSCRIBE_SECRET" in message
    ready = NotificationsSettings(
        environment="production",
        vapid_private_key="k" * 43,
        unsubscribe_secret="s" * 40,
    )
    assert ready.environment == "production"
    assert NotificationsSettings().vapid_private_key is None  # development: stored key


def test_operator_ids_come_from_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFICATIONS_OPERATOR_IDS", '["ops-1", "ops-2"]')
    assert NotificationsSettings().operator_ids == {"ops-1", "ops-2"}
