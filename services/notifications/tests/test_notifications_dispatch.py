"""Sending with in-memory ports: outcomes through the outbox (all or nothing), retries, rate
limits, settings."""

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider
from pydantic import ValidationError

from cerchia_chassis.rate_limits import RateLimiter
from cerchia_chassis.telemetry import TraceContextFilter
from cerchia_contracts.catalog import NOTIFICATIONS_DELIVERIES, topic_of
from cerchia_contracts.events import notifications as n
from notifications.adapters.provider_rates import ProviderRate
from notifications.domain.categories import Category
from notifications.domain.deliveries import (
    Channel,
    Delivery,
    DeliveryStatus,
    PermanentDeliveryError,
    ThrottledDelivery,
    TransientDeliveryError,
    public_reason,
)
from notifications.service.dispatch import dispatch_due
from notifications.service.ports import SendingPorts
from notifications.settings import NotificationsSettings
from services.notifications.tests.memory import NOW, World

pytestmark = pytest.mark.unit


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


class Sender:
    provider = "fake"

    def __init__(self, errors: dict[str, Exception]) -> None:
        self.errors = errors
        self.calls: list[str] = []

    async def send(self, d: Delivery) -> None:
        self.calls.append(d.key)
        if d.key in self.errors:
            raise self.errors[d.key]


def queued(*deliveries: Delivery) -> World:
    world = World()
    for d in deliveries:
        world.store.queue[d.key] = d
        world.store.status[d.key] = DeliveryStatus.PENDING
    return world


def ports(world: World, sender: Any, **options: Any) -> SendingPorts:
    return world.sending(
        {Channel.EMAIL: sender, Channel.WEBHOOK: sender},
        **{"max_attempts": 3, "concurrency": 16, **options},
    )


def published(world: World) -> dict[str, Any]:
    """The outcome events the outbox took, by delivery key."""
    return {event.data.delivery_key: event for event in world.store.events}


async def test_each_final_outcome_is_written_with_its_state_in_one_transaction() -> None:
    ok, refused = delivery("ev-1:u-1:email"), delivery("ev-2:u-1:email")
    tired = delivery("ev-3:u-1:email", attempts=3)
    world = queued(ok, refused, tired)
    sender = Sender(
        {
            refused.key: PermanentDeliveryError("SMTP 550: <ada@example.org> unknown"),
            tired.key: TransientDeliveryError("SMTP 451: try later"),
        }
    )
    assert await dispatch_due(batch_size=10, ports=ports(world, sender)) == 3

    store = world.store
    assert store.status[ok.key] is DeliveryStatus.SENT
    # The three final states were written in one unit of work, with their events.
    sessions = {store.sent[ok.key], store.failed[refused.key][1], store.failed[tired.key][1]}
    assert len(sessions) == 1
    assert None not in sessions
    assert world.transactions.runs == 1
    by_key = published(world)
    assert isinstance(by_key[ok.key], n.DeliverySucceededV1)
    for key, permanent in ((refused.key, True), (tired.key, False)):
        event = by_key[key]
        assert isinstance(event, n.DeliveryFailedV1)
        assert store.status[key] is DeliveryStatus.FAILED
        assert event.data.permanent is permanent
    refusal = by_key[refused.key]
    assert refusal.data.reason == "SMTP 550: <<address>> unknown"
    # What may reach a person is the category, never the provider's text.
    assert (refusal.data.failure, by_key[tired.key].data.failure) == ("rejected", "unreachable")
    assert refusal.data.recipient_id == "u-1"
    assert refusal.subject == "c-1"
    assert topic_of(refusal) is NOTIFICATIONS_DELIVERIES
    assert world.outbox.commits == 1  # one group, one commit


class Unreachable(Exception):
    """The database went away while the outcomes were written."""


async def test_outcomes_and_their_events_are_all_or_nothing() -> None:
    ok, refused = delivery("ev-1:u-1:email"), delivery("ev-2:u-1:email")
    world = queued(ok, refused)
    sender = Sender({refused.key: PermanentDeliveryError("SMTP 550: unknown")})

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise Unreachable

    world.outbox.add = broken  # type: ignore[method-assign]
    with pytest.raises(Unreachable):
        await dispatch_due(batch_size=10, ports=ports(world, sender))
    store = world.store
    # Neither state was recorded: the claims lapse and both are sent again (same ids).
    assert store.sent == {}
    assert store.failed == {}
    assert store.events == []
    assert {store.status[k] for k in (ok.key, refused.key)} == {DeliveryStatus.PENDING}
    assert world.outbox.commits == 0


class SlowSender:
    """Counts how many sends are in flight at once."""

    provider = "fake"

    def __init__(self) -> None:
        self.in_flight = self.most = 0

    async def send(self, d: Delivery) -> None:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1


async def test_a_batch_is_sent_in_concurrent_groups_each_recorded_in_one_transaction() -> None:
    batch = [delivery(f"ev-{i}:u-1:email") for i in range(40)]
    world, sender = queued(*batch), SlowSender()
    assert await dispatch_due(batch_size=100, ports=ports(world, sender, concurrency=16)) == 40
    assert sender.most == 16
    assert world.transactions.runs == world.outbox.commits == 3  # 16 + 16 + 8
    sent = world.store.sent
    assert sorted(sent) == sorted(d.key for d in batch)
    groups = [{sent[d.key] for d in batch[i : i + 16]} for i in (0, 16, 32)]
    assert all(len(group) == 1 for group in groups)  # a group is recorded in one unit of work
    assert len(set.union(*groups)) == 3
    assert set(published(world)) == set(sent)


async def test_a_transient_failure_before_the_last_attempt_waits_and_publishes_nothing() -> None:
    flaky = delivery(attempts=1)
    world = queued(flaky)
    sender = Sender({flaky.key: TransientDeliveryError("connection refused")})
    await dispatch_due(batch_size=10, ports=ports(world, sender))
    ((key, (retry_at, session)),) = world.store.failed.items()
    assert key == flaky.key
    assert session is None
    assert retry_at is not None
    assert NOW + timedelta(seconds=3) <= retry_at <= NOW + timedelta(seconds=7)
    assert world.store.status[key] is DeliveryStatus.PENDING
    assert world.store.events == []


async def test_a_used_up_provider_rate_postpones_without_an_attempt_or_an_outcome() -> None:
    held = delivery()
    world = queued(held)
    sender = Sender({held.key: ThrottledDelivery("smtp 127.0.0.1", 0.5)})
    await dispatch_due(batch_size=10, ports=ports(world, sender))
    assert world.store.postponed == {held.key: NOW + timedelta(seconds=0.5)}
    assert world.store.failed == {}
    assert world.store.events == []
    assert world.store.queue[held.key].attempts == held.attempts


async def test_an_address_standing_for_the_recipient_is_never_published() -> None:
    invitation = delivery(
        "ev-9:new@example.org:email", recipient_id="new@example.org", address="new@example.org"
    )
    webhook = delivery("ev-9:hook-1:webhook", recipient_id="hook-1", address="https://x.example/h")
    world = queued(invitation, webhook)
    await dispatch_due(batch_size=10, ports=ports(world, Sender({})))
    recipients = {key: e.data.recipient_id for key, e in published(world).items()}
    assert recipients == {invitation.key: None, webhook.key: "hook-1"}


def test_public_reasons_lose_addresses_and_length() -> None:
    assert public_reason("550 5.1.1 bo.x@mail.example.org: no such user") == (
        "550 5.1.1 <address>: no such user"
    )
    assert len(public_reason("x" * 5000)) == 500


async def test_provider_rates_hold_per_host_and_take_all_or_nothing() -> None:
    limiter = RateLimiter()
    push = ProviderRate(limiter, "push", "2/minute")
    await push.take("fcm.example")
    await push.take("fcm.example")
    with pytest.raises(ThrottledDelivery) as throttled:
        await push.take("fcm.example")
    assert 0 < throttled.value.retry_after_s <= 60
    await push.take("mozilla.example")
    # One host full: nothing is counted on the other either.
    with pytest.raises(ThrottledDelivery):
        await push.take("mozilla.example", "fcm.example")
    await push.take("mozilla.example")
    with pytest.raises(ThrottledDelivery):
        await push.take("mozilla.example")
    # Each kind of provider counts apart, on the one limiter.
    await ProviderRate(limiter, "webhook", "2/minute").take("fcm.example")


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


async def test_each_send_logs_one_line_with_key_provider_outcome_and_duration_and_no_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ok, refused = delivery("ev-1:u-1:email"), delivery("ev-2:u-1:email")
    later = delivery("ev-3:u-1:email")
    tracer = TracerProvider().get_tracer("t")
    with tracer.start_as_current_span("consume") as span:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        trace_id = format(span.get_span_context().trace_id, "032x")
    traced = delivery("ev-4:u-1:email", trace_headers=carrier)
    bug = delivery("ev-5:u-1:email")
    world = queued(ok, refused, later, traced, bug)
    sender = Sender(
        {
            refused.key: PermanentDeliveryError("SMTP 550: <ada@example.org> unknown"),
            later.key: TransientDeliveryError("SMTP 451: try later"),
            bug.key: KeyError("template"),
        }
    )
    lines: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            TraceContextFilter().filter(record)  # as the service's handler does
            lines.append(record)

    caplog.set_level(logging.INFO, logger="notifications.service.dispatch")
    logger = logging.getLogger("notifications.service.dispatch")
    keep = Keep()
    logger.addHandler(keep)
    try:
        await dispatch_due(batch_size=10, ports=ports(world, sender))
    finally:
        logger.removeHandler(keep)

    by_key = {getattr(r, "delivery_key", None): r for r in lines}
    assert len(lines) == 5  # exactly one line per send
    assert set(by_key) == {ok.key, refused.key, later.key, traced.key, bug.key}
    outcomes = {key: getattr(r, "outcome", None) for key, r in by_key.items()}
    assert outcomes == {
        ok.key: "sent",
        refused.key: "failed",
        later.key: "retry",
        traced.key: "sent",
        bug.key: "retry",
    }
    for record in lines:
        assert getattr(record, "provider", None) == "fake"
        assert getattr(record, "channel", None) == "email"
        assert isinstance(getattr(record, "duration_ms", None), float)
        text = record.getMessage() + repr(vars(record))
        assert "ada@example.org" not in text
    assert by_key[ok.key].levelno == logging.INFO
    assert by_key[refused.key].levelno == logging.WARNING
    assert getattr(by_key[refused.key], "reason", None) == "SMTP 550: <<address>> unknown"
    # a bug's traceback is on its line; an expected failure has none
    bug_info = by_key[bug.key].exc_info
    assert bug_info is not None
    assert isinstance(bug_info[1], KeyError)
    assert by_key[later.key].exc_info is None
    # the send continues the trace of the event it comes from
    assert getattr(by_key[traced.key], "trace_id", None) == trace_id
