"""Sending queued deliveries: transient failures retry with backoff, then the delivery fails;
each final outcome is published through the outbox."""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cerchia_chassis.ports import Session
from cerchia_contracts.events import notifications as n
from notifications.domain.deliveries import (
    Channel,
    Delivery,
    Failure,
    PermanentDeliveryError,
    ThrottledDelivery,
    TransientDeliveryError,
    failure_of,
    public_reason,
    retry_delay,
)
from notifications.service.ports import SendingPorts

logger = logging.getLogger(__name__)


def _outcome(delivery: Delivery) -> n.DeliveryOutcome:
    # An address standing in for the recipient (an invitation) is never published.
    account = not (delivery.address and delivery.recipient_id == delivery.address.lower())
    return n.DeliveryOutcome(
        delivery_key=delivery.key,
        source_event_id=delivery.event_id,
        channel=delivery.channel.value,  # type: ignore[arg-type]
        kind=delivery.template,
        category=delivery.category_label,
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


def failed_event(delivery: Delivery, *, error: str, permanent: bool) -> n.DeliveryFailedV1:
    """The event telling a delivery failed for good."""
    data = n.DeliveryFailed(
        **_outcome(delivery).model_dump(), permanent=permanent, reason=public_reason(error)
    )
    return n.DeliveryFailedV1.new(subject=outcome_subject(data), data=data)


@dataclass(frozen=True)
class _Sent:
    delivery: Delivery


@dataclass(frozen=True)
class _Failed:
    delivery: Delivery
    error: str
    permanent: bool
    failure: Failure


@dataclass(frozen=True)
class _Retry:
    delivery: Delivery
    error: str
    at: datetime
    failure: Failure


@dataclass(frozen=True)
class _Postponed:
    delivery: Delivery
    until: datetime


_Outcome = _Sent | _Failed | _Retry | _Postponed


async def dispatch_due(
    *,
    batch_size: int,
    ports: SendingPorts,
    channels: Sequence[Channel] | None = None,
    concurrency: int | None = None,
) -> int:
    """Send the deliveries that are due (of ``channels``, else of every channel); return how
    many were claimed. Each pool of senders (people's email and push; integrators' webhooks)
    runs its own loop, so a slow webhook endpoint never holds up a person's email.

    A claimed batch is sent in groups of ``concurrency`` (default ``ports.concurrency``)
    deliveries at once; the final
    outcomes of a group (sent, failed for good) are recorded with their events in one
    transaction. A crash between a provider's acceptance and that record resends at most one
    group, with the same Message-ID or push tag, when the claims lapse.
    """
    now = ports.clock()
    claimed = await ports.deliveries.claim_due(limit=batch_size, now=now, channels=channels)
    step = max(1, concurrency or ports.concurrency)
    for start in range(0, len(claimed), step):
        group = claimed[start : start + step]
        outcomes = await asyncio.gather(*(_attempt(d, now, ports) for d in group))
        await _record(outcomes, ports)
    return len(claimed)


async def _attempt(delivery: Delivery, now: datetime, ports: SendingPorts) -> _Outcome:
    sender = ports.senders.get(delivery.channel)
    try:
        if sender is None:
            raise PermanentDeliveryError(f"no sender for channel {delivery.channel}", Failure.ERROR)
        await sender.send(delivery)
    except ThrottledDelivery as exc:
        # The provider's rate is used up: wait for room, this attempt does not count.
        return _Postponed(delivery, now + timedelta(seconds=exc.retry_after_s))
    except PermanentDeliveryError as exc:
        logger.warning("delivery %s failed for good: %s", delivery.key, exc)
        return _Failed(delivery, str(exc), permanent=True, failure=exc.failure)
    except Exception as exc:
        # Anything unexpected is treated as transient: a bounded number of retries is
        # cheaper than losing a message to a bug fixed by the next deploy.
        give_up = delivery.attempts >= ports.max_attempts
        logger.warning(
            "delivery %s failed (attempt %d%s): %s",
            delivery.key,
            delivery.attempts,
            ", giving up" if give_up else "",
            exc,
            exc_info=not isinstance(exc, TransientDeliveryError),
        )
        failure = failure_of(exc)
        if give_up:
            return _Failed(delivery, str(exc), permanent=False, failure=failure)
        return _Retry(delivery, str(exc), now + retry_delay(delivery.attempts, jitter=0.2), failure)
    return _Sent(delivery)


async def _record(outcomes: Sequence[_Outcome], ports: SendingPorts) -> None:
    sent = [o.delivery for o in outcomes if isinstance(o, _Sent)]
    failed = [o for o in outcomes if isinstance(o, _Failed)]
    for outcome in outcomes:
        if isinstance(outcome, _Postponed):
            await ports.deliveries.postpone(outcome.delivery, until=outcome.until)
        elif isinstance(outcome, _Retry):
            await ports.deliveries.mark_failed(
                outcome.delivery, error=outcome.error, failure=outcome.failure, retry_at=outcome.at
            )
    if not sent and not failed:
        return

    async def work(session: Session) -> None:
        if sent:
            await ports.deliveries.mark_sent(sent, now=ports.clock(), session=session)
        for f in failed:
            await ports.deliveries.mark_failed(
                f.delivery, error=f.error, failure=f.failure, retry_at=None, session=session
            )
        await ports.outbox.add(
            session,
            *(succeeded(d) for d in sent),
            *(failed_event(f.delivery, error=f.error, permanent=f.permanent) for f in failed),
        )

    await ports.transactions.run(work)
    ports.outbox.committed()
