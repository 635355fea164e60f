"""The delivery pipeline's instruments: provider time per result, outcomes, latency."""

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cerchia_chassis.metrics import configure_metrics, exposition
from notifications.adapters.metrics import MeasuredSender, result_of
from notifications.domain.deliveries import (
    Channel,
    Delivery,
    PermanentDeliveryError,
    ThrottledDelivery,
    TransientDeliveryError,
)
from notifications.service.instruments import delivered

pytestmark = pytest.mark.unit

EVENT_TIME = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def value(name: str, **labels: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition().decode())
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def delivery(channel: Channel, *, event_time: datetime | None = EVENT_TIME) -> Delivery:
    return Delivery(
        key=f"e1:u1:{channel.value}",
        event_id="e1",
        recipient_id="u1",
        channel=channel,
        template="thread_created",
        locale="en",
        address="",
        context={},
        created_at=EVENT_TIME,
        event_time=event_time,
    )


class Provider:
    def __init__(self, error: Exception | None) -> None:
        self.error = error

    async def send(self, delivery: Delivery) -> None:
        if self.error is not None:
            raise self.error


def test_provider_results_are_named_by_what_the_dispatcher_does_with_them() -> None:
    assert result_of(None) == "ok"
    assert result_of(ThrottledDelivery("smtp", 3)) == "throttled"
    assert result_of(PermanentDeliveryError("gone")) == "permanent"
    assert result_of(TransientDeliveryError("later")) == "transient"
    assert result_of(RuntimeError("bug")) == "transient"


async def test_every_provider_call_is_timed_and_its_error_passes_through() -> None:
    configure_metrics("notifications-test")
    name = "cerchia_notifications_provider_duration_seconds_count"
    ok = value(name, channel="webhook", result="ok")
    refused = value(name, channel="webhook", result="permanent")
    await MeasuredSender(Channel.WEBHOOK, Provider(None)).send(delivery(Channel.WEBHOOK))
    with pytest.raises(PermanentDeliveryError):
        await MeasuredSender(Channel.WEBHOOK, Provider(PermanentDeliveryError("410"))).send(
            delivery(Channel.WEBHOOK)
        )
    assert value(name, channel="webhook", result="ok") == ok + 1
    assert value(name, channel="webhook", result="permanent") == refused + 1


def test_a_sent_delivery_counts_with_its_latency_since_the_event_and_others_count_only() -> None:
    configure_metrics("notifications-test")
    counted = "cerchia_notifications_deliveries_total"
    latency = "cerchia_notifications_delivery_latency_seconds"
    sent, failed = (
        value(counted, channel="push", outcome="sent"),
        value(counted, channel="push", outcome="failed"),
    )
    count, total = (
        value(latency + "_count", channel="push"),
        value(latency + "_sum", channel="push"),
    )
    delivered(delivery(Channel.PUSH), "sent", now=EVENT_TIME + timedelta(seconds=4))
    delivered(delivery(Channel.PUSH), "failed", now=EVENT_TIME + timedelta(seconds=9))
    # Held for quiet hours or read without time zone: no latency, or the stored UTC time.
    delivered(delivery(Channel.PUSH, event_time=None), "sent", now=EVENT_TIME)
    naive = EVENT_TIME.replace(tzinfo=None)
    delivered(
        delivery(Channel.PUSH, event_time=naive), "sent", now=EVENT_TIME + timedelta(seconds=2)
    )
    assert value(counted, channel="push", outcome="sent") == sent + 3
    assert value(counted, channel="push", outcome="failed") == failed + 1
    assert value(latency + "_count", channel="push") == count + 2
    assert value(latency + "_sum", channel="push") == pytest.approx(total + 6)
