"""The delivery pipeline's own instruments: outcomes, latency since the event, fan-out sizes."""

from datetime import UTC, datetime

from cerchia_chassis.metrics import PIPELINE_BUCKETS_S, SIZE_BUCKETS, meter
from notifications.domain.deliveries import Delivery

_meter = meter(__name__)
_deliveries = _meter.create_counter(
    "cerchia.notifications.deliveries",
    unit="{delivery}",
    description="Delivery attempts by channel and outcome (sent, failed, retried, postponed).",
)
_latency = _meter.create_histogram(
    "cerchia.notifications.delivery.latency",
    unit="s",
    description="From the event's time to its delivery reaching the provider, per channel "
    "(deliveries held for quiet hours and digests are not counted).",
    explicit_bucket_boundaries_advisory=PIPELINE_BUCKETS_S,
)
_fanout = _meter.create_histogram(
    "cerchia.notifications.fanout.size",
    unit="{recipient}",
    description="Recipients of one event, per audience (people, webhooks).",
    explicit_bucket_boundaries_advisory=SIZE_BUCKETS,
)


def delivered(delivery: Delivery, outcome: str, *, now: datetime) -> None:
    """Count a delivery attempt's outcome; a sent one's latency since its event too."""
    channel = delivery.channel.value
    _deliveries.add(1, {"channel": channel, "outcome": outcome})
    event_time = delivery.event_time
    if outcome == "sent" and event_time is not None:
        if event_time.tzinfo is None:  # a database read without time zones: stored as UTC
            event_time = event_time.replace(tzinfo=UTC)
        latency = max(0.0, (now - event_time).total_seconds())
        _latency.record(latency, {"channel": channel})


def fanned_out(audience: str, size: int) -> None:
    """Record how many recipients one event reached in ``audience``."""
    _fanout.record(size, {"audience": audience})
