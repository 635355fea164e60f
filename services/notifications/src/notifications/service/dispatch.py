"""Sending queued deliveries: transient failures retry with backoff, then the delivery fails."""

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from notifications.domain.deliveries import (
    Channel,
    PermanentDeliveryError,
    TransientDeliveryError,
    retry_delay,
)
from notifications.service.ports import DeliveryQueue, Sender

logger = logging.getLogger(__name__)


async def dispatch_due(
    *,
    deliveries: DeliveryQueue,
    senders: Mapping[Channel, Sender],
    batch_size: int,
    max_attempts: int,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Send the deliveries that are due; return how many were claimed."""
    now = clock()
    claimed = await deliveries.claim_due(limit=batch_size, now=now)
    for delivery in claimed:
        sender = senders.get(delivery.channel)
        try:
            if sender is None:
                raise PermanentDeliveryError(f"no sender for channel {delivery.channel}")
            await sender.send(delivery)
        except PermanentDeliveryError as exc:
            logger.warning("delivery %s failed for good: %s", delivery.key, exc)
            await deliveries.mark_failed(delivery, error=str(exc), retry_at=None)
        except Exception as exc:
            # Anything unexpected is treated as transient: a bounded number of retries is
            # cheaper than losing a message to a bug fixed by the next deploy.
            give_up = delivery.attempts >= max_attempts
            logger.warning(
                "delivery %s failed (attempt %d%s): %s",
                delivery.key,
                delivery.attempts,
                ", giving up" if give_up else "",
                exc,
                exc_info=not isinstance(exc, TransientDeliveryError),
            )
            retry_at = None if give_up else now + retry_delay(delivery.attempts, jitter=0.2)
            await deliveries.mark_failed(delivery, error=str(exc), retry_at=retry_at)
        else:
            await deliveries.mark_sent(delivery, now=clock())
    return len(claimed)
