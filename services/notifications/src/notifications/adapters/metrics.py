"""Provider calls, timed per channel and result."""

import time
from collections.abc import Mapping

from cerchia_chassis.metrics import DURATION_BUCKETS_S, meter
from notifications.domain.deliveries import (
    Channel,
    Delivery,
    PermanentDeliveryError,
    ThrottledDelivery,
)
from notifications.service.ports import Sender

_provider_duration = meter(__name__).create_histogram(
    "cerchia.notifications.provider.duration",
    unit="s",
    description="Time a provider (SMTP server, push service, webhook endpoint) took to accept or "
    "refuse one delivery, per channel and result (ok, transient, permanent, throttled).",
    explicit_bucket_boundaries_advisory=DURATION_BUCKETS_S,
)


def result_of(error: BaseException | None) -> str:
    """A provider call's result label."""
    if error is None:
        return "ok"
    if isinstance(error, ThrottledDelivery):
        return "throttled"
    if isinstance(error, PermanentDeliveryError):
        return "permanent"
    return "transient"


class MeasuredSender:
    """A sender whose every provider call is timed, per channel and result."""

    def __init__(self, channel: Channel, sender: Sender) -> None:
        self._channel = channel
        self._sender = sender

    @property
    def provider(self) -> str:
        """The wrapped sender's provider (what the send's log line names)."""
        return self._sender.provider

    async def send(self, delivery: Delivery) -> None:
        """Send through the wrapped sender, recording how long the provider took."""
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            await self._sender.send(delivery)
        except BaseException as exc:
            error = exc
            raise
        finally:
            _provider_duration.record(
                time.perf_counter() - started,
                {"channel": self._channel.value, "result": result_of(error)},
            )


def measured(senders: Mapping[Channel, Sender]) -> dict[Channel, Sender]:
    """Each channel's sender, timed."""
    return {channel: MeasuredSender(channel, sender) for channel, sender in senders.items()}
