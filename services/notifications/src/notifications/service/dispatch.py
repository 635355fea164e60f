"""Sending queued deliveries: transient failures retry with backoff, then the delivery fails;
each final outcome is published through the outbox."""

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from opentelemetry import propagate, trace

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
from notifications.service.instruments import delivered
from notifications.service.ports import SendingPorts

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


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


def failed_event(
    delivery: Delivery, *, error: str, permanent: bool, failure: Failure = Failure.ERROR
) -> n.DeliveryFailedV1:
    """The event telling a delivery failed for good: the error text for operations, and the
    category that may be shown to people."""
    data = n.DeliveryFailed(
        **_outcome(delivery).model_dump(),
        permanent=permanent,
        reason=public_reason(error),
        failure=failure.value,
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
    """One send, in a span continuing the trace of the event the delivery comes from (so every
    line logged meanwhile carries its trace id), reported by exactly one log line."""
    sender = ports.senders.get(delivery.channel)
    provider = sender.provider if sender is not None else "none"
    parent = propagate.extract(delivery.trace_headers)
    started = time.perf_counter()
    with tracer.start_as_current_span(f"deliver {delivery.channel.value}", context=parent) as span:
        span.set_attribute("cerchia.delivery.key", delivery.key)
        span.set_attribute("cerchia.delivery.provider", provider)
        unexpected: Exception | None = None
        try:
            if sender is None:
                raise PermanentDeliveryError(
                    f"no sender for channel {delivery.channel}", Failure.ERROR
                )
            await sender.send(delivery)
            outcome: _Outcome = _Sent(delivery)
        except ThrottledDelivery as exc:
            # The provider's rate is used up: wait for room, this attempt does not count.
            outcome = _Postponed(delivery, now + timedelta(seconds=exc.retry_after_s))
        except PermanentDeliveryError as exc:
            outcome = _Failed(delivery, str(exc), permanent=True, failure=exc.failure)
        except Exception as exc:
            # Anything unexpected is treated as transient: a bounded number of retries is
            # cheaper than losing a message to a bug fixed by the next deploy.
            unexpected = None if isinstance(exc, TransientDeliveryError) else exc
            failure = failure_of(exc)
            if delivery.attempts >= ports.max_attempts:
                outcome = _Failed(delivery, str(exc), permanent=False, failure=failure)
            else:
                retry_at = now + retry_delay(delivery.attempts, jitter=0.2)
                outcome = _Retry(delivery, str(exc), retry_at, failure)
        span.set_attribute("cerchia.delivery.outcome", _OUTCOME_NAMES[type(outcome)])
        log_send(
            outcome,
            provider=provider,
            duration_s=time.perf_counter() - started,
            exc_info=unexpected,
        )
    return outcome


_OUTCOME_NAMES: dict[type, str] = {
    _Sent: "sent",
    _Postponed: "postponed",
    _Retry: "retry",
    _Failed: "failed",
}


def log_send(
    outcome: _Outcome, *, provider: str, duration_s: float, exc_info: Exception | None = None
) -> None:
    """The one line a send writes: idempotency key, channel, provider, outcome, duration.

    No personal data: no address, body or URL; a provider's error text appears with any
    address in it replaced (``public_reason``); ``exc_info``, an unexpected exception (a bug),
    adds its traceback.
    """
    delivery = outcome.delivery
    name = _OUTCOME_NAMES[type(outcome)]
    error = getattr(outcome, "error", None)
    fields: dict[str, object] = {
        "delivery_key": delivery.key,
        "channel": delivery.channel.value,
        "provider": provider,
        "outcome": name,
        "duration_ms": round(duration_s * 1000, 1),
        "attempt": delivery.attempts,
    }
    if error is not None:
        fields["reason"] = public_reason(error, limit=300)
    logger.log(
        logging.INFO if name in ("sent", "postponed") else logging.WARNING,
        "delivery %s %s via %s in %.0f ms%s",
        delivery.key,
        name,
        provider,
        duration_s * 1000,
        f": {fields['reason']}" if error is not None else "",
        extra=fields,
        exc_info=exc_info,
    )


async def _record(outcomes: Sequence[_Outcome], ports: SendingPorts) -> None:
    sent = [o.delivery for o in outcomes if isinstance(o, _Sent)]
    failed = [o for o in outcomes if isinstance(o, _Failed)]
    for outcome in outcomes:
        if isinstance(outcome, _Postponed):
            await ports.deliveries.postpone(outcome.delivery, until=outcome.until)
            delivered(outcome.delivery, "postponed", now=ports.clock())
        elif isinstance(outcome, _Retry):
            await ports.deliveries.mark_failed(
                outcome.delivery, error=outcome.error, failure=outcome.failure, retry_at=outcome.at
            )
            delivered(outcome.delivery, "retried", now=ports.clock())
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
            *(
                failed_event(f.delivery, error=f.error, permanent=f.permanent, failure=f.failure)
                for f in failed
            ),
        )

    await ports.transactions.run(work)
    ports.outbox.committed()
    now = ports.clock()
    for d in sent:
        delivered(d, "sent", now=now)
    for f in failed:
        delivered(f.delivery, "failed", now=now)
