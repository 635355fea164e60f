"""Sending queued deliveries, with retries and backoff."""

import logging
from datetime import UTC, datetime

from notifications.domain.deliveries import Channel, retry_delay
from notifications.service.ports import DeliveryQueue, EmailSender

logger = logging.getLogger(__name__)


async def dispatch_due(
    *, deliveries: DeliveryQueue, email: EmailSender, batch_size: int, max_attempts: int
) -> int:
    """Send the deliveries that are due; return how many were claimed."""
    now = datetime.now(UTC)
    claimed = await deliveries.claim_due(limit=batch_size, now=now)
    for delivery in claimed:
        try:
            if delivery.channel is not Channel.EMAIL:
                raise NotImplementedError(f"no sender for channel {delivery.channel}")
            await email.send(delivery)
        except Exception as exc:
            give_up = delivery.attempts >= max_attempts
            logger.warning(
                "delivery %s failed (attempt %d%s): %s",
                delivery.key,
                delivery.attempts,
                ", giving up" if give_up else "",
                exc,
            )
            retry_at = None if give_up else now + retry_delay(delivery.attempts)
            await deliveries.mark_failed(delivery.key, error=str(exc), retry_at=retry_at)
        else:
            await deliveries.mark_sent(delivery.key, now=datetime.now(UTC))
    return len(claimed)
