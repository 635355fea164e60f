"""Sending queued deliveries: transient failures retry with backoff, then the delivery fails;
each final outcome is published through the outbox."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cerchia_contracts.events import notifications as n
from notifications.domain.deliveries import (
    Channel,
    Delivery,
    PermanentDeliveryError,
    ThrottledDelivery,
    TransientDeliveryError,
    public_reason,
    retry_delay,
)
from notifications.service.ports import DeliveryQueue, Outbox, Sender, Session, Transactions

logger = logging.getLogger(__name__)


def _outcome(delivery: Delivery) -> n.DeliveryOutcome:
    # An address standing in for the recipient (an invitation) is never published.
    account = not (delivery.address and delivery.recipient_id == delivery.address.lower())
    return n.DeliveryOutcome(
        delivery_key=delivery.key,
        source_event_id=delivery.event_id,
        channel=delivery.channel.value,  # type: ignore[arg-type]
        kind=delivery.template,
        category=delivery.category.value,
        recipient_id=delivery.recipient_id if account else None,
        community_id=delivery.community_id,
        attempts=delivery.attempts,
    )


def outcome_subject(outcome: n.DeliveryOutcome) -> str:
    """The partition key: the community, else the recipient (one recipient's outcomes in
    order), else the delivery itself."""
    return outcome.community_id or outcome.recipient_id or outcome.delivery_key


def succeeded(delivery: Delivery) -> n.DeliverySucceededV1:
    """The event telling a delivery reached its provider."""
    data = n.DeliverySucceeded(**_outcome(delivery).model_dump())
    return n.DeliverySucceededV1.new(subject=outcome_subject(data), data=data)


def failed(delivery: Delivery, *, error: str, permanent: bool) -> n.DeliveryFailedV1:
    """The event telling a delivery failed for good."""
    data = n.DeliveryFailed(
        **_outcome(delivery).model_dump(), permanent=permanent, reason=public_reason(error)
    )
    return n.DeliveryFailedV1.new(subject=outcome_subject(data), data=data)


@dataclass(frozen=True)
class Dispatcher:
    """Claims due deliveries and hands each to its channel's sender."""

    deliveries: DeliveryQueue
    senders: Mapping[Channel, Sender]
    transactions: Transactions
    outbox: Outbox
    max_attempts: int
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def dispatch_due(self, *, batch_size: int) -> int:
        """Send the deliveries that are due; return how many were claimed."""
        now = self.clock()
        claimed = await self.deliveries.claim_due(limit=batch_size, now=now)
        for delivery in claimed:
            await self._send(delivery, now)
        return len(claimed)

    async def _send(self, delivery: Delivery, now: datetime) -> None:
        sender = self.senders.get(delivery.channel)
        try:
            if sender is None:
                raise PermanentDeliveryError(f"no sender for channel {delivery.channel}")
            await sender.send(delivery)
        except ThrottledDelivery as exc:
            # The provider's rate is used up: wait for room, this attempt does not count.
            until = now + timedelta(seconds=exc.retry_after_s)
            await self.deliveries.postpone(delivery, until=until)
        except PermanentDeliveryError as exc:
            logger.warning("delivery %s failed for good: %s", delivery.key, exc)
            await self._fail(delivery, str(exc), permanent=True)
        except Exception as exc:
            # Anything unexpected is treated as transient: a bounded number of retries is
            # cheaper than losing a message to a bug fixed by the next deploy.
            give_up = delivery.attempts >= self.max_attempts
            logger.warning(
                "delivery %s failed (attempt %d%s): %s",
                delivery.key,
                delivery.attempts,
                ", giving up" if give_up else "",
                exc,
                exc_info=not isinstance(exc, TransientDeliveryError),
            )
            if give_up:
                await self._fail(delivery, str(exc), permanent=False)
            else:
                retry_at = now + retry_delay(delivery.attempts, jitter=0.2)
                await self.deliveries.mark_failed(delivery, error=str(exc), retry_at=retry_at)
        else:
            await self._succeed(delivery)

    async def _succeed(self, delivery: Delivery) -> None:
        async def work(session: Session) -> None:
            await self.deliveries.mark_sent(delivery, now=self.clock(), session=session)
            await self.outbox.add(session, succeeded(delivery))

        await self.transactions.run(work)
        self.outbox.committed()

    async def _fail(self, delivery: Delivery, error: str, *, permanent: bool) -> None:
        async def work(session: Session) -> None:
            await self.deliveries.mark_failed(delivery, error=error, retry_at=None, session=session)
            await self.outbox.add(session, failed(delivery, error=error, permanent=permanent))

        await self.transactions.run(work)
        self.outbox.committed()
