"""A delivery: one notification for one recipient on one channel, sent at most once."""

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from notifications.domain.categories import Category, Urgency


class Channel(StrEnum):
    """Where a notification is delivered."""

    EMAIL = "email"
    IN_APP = "in_app"
    PUSH = "push"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"
    #: Waiting for the recipient's address (their account is not projected here yet).
    PARKED = "parked"
    SENT = "sent"
    FAILED = "failed"


class Failure(StrEnum):
    """Why a delivery did not arrive, as its recipient is told: a category, never a provider's
    error text (which would turn the delivery log into a probe of the network behind us)."""

    #: The provider could not be reached, or did not answer in time.
    UNREACHABLE = "unreachable"
    #: The provider (or our own address guard) refused the message.
    REJECTED = "rejected"
    #: The push subscription no longer exists (404/410); it was removed.
    GONE = "gone"
    #: Nowhere to send it: no address, no push subscription, a removed webhook.
    NO_DESTINATION = "no_destination"
    #: Something on our side went wrong.
    ERROR = "error"


class DeliveryError(Exception):
    """A provider refused or could not take a delivery; ``failure`` says why, as a category."""

    default_failure = Failure.ERROR

    def __init__(self, message: str, failure: Failure | None = None) -> None:
        super().__init__(message)
        self.failure = failure or self.default_failure


class TransientDeliveryError(DeliveryError):
    """Worth retrying later (connection error, SMTP 4xx, HTTP 429 or 5xx)."""

    default_failure = Failure.UNREACHABLE


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (SMTP 5xx, HTTP 4xx, no address)."""

    default_failure = Failure.REJECTED


def failure_of(error: Exception) -> Failure:
    """The category of a failed attempt's error (an unexpected exception is our own)."""
    return error.failure if isinstance(error, DeliveryError) else Failure.ERROR


class ThrottledDelivery(DeliveryError):
    """The provider's send rate is used up: try again later, without counting an attempt."""

    def __init__(self, provider: str, retry_after_s: float) -> None:
        super().__init__(f"{provider} rate limit reached", Failure.UNREACHABLE)
        self.provider = provider
        self.retry_after_s = retry_after_s


class PushAnswer(StrEnum):
    """How one browser's push service answered."""

    DELIVERED = "delivered"
    #: 404/410: the subscription no longer exists (it is removed).
    GONE = "gone"
    #: Another 4xx: the push service will not take this message.
    REFUSED = "refused"
    #: 429, 5xx or unreachable: worth trying again.
    RETRY = "retry"


def settle_push(answers: Sequence[tuple[PushAnswer, str]]) -> None:
    """Whether a push delivery was sent, from each of its browsers' answers: sent when any took
    it and none asks for a retry; otherwise a transient error when one may take it later, else
    a permanent one that says why (a delivery to subscriptions that are all gone is a failure,
    not a success)."""
    retry = [reason for answer, reason in answers if answer is PushAnswer.RETRY]
    if retry:
        raise TransientDeliveryError("; ".join(retry))
    if any(answer is PushAnswer.DELIVERED for answer, _ in answers):
        return
    if not answers:
        raise PermanentDeliveryError("no push subscription", Failure.NO_DESTINATION)
    reasons = sorted({reason for _, reason in answers})
    gone = all(answer is PushAnswer.GONE for answer, _ in answers)
    raise PermanentDeliveryError("; ".join(reasons), Failure.GONE if gone else Failure.REJECTED)


_ADDRESS = re.compile(r"[^\s<>@\"',;:]+@[^\s<>@\"',;:]+")


def public_reason(error: str, limit: int = 500) -> str:
    """A provider's error as it may be published: addresses removed, length bounded."""
    return _ADDRESS.sub("<address>", error)[:limit]


def idempotency_key(event_id: str, recipient_id: str, channel: Channel) -> str:
    """The key that makes a delivery unique: the same event never reaches a person twice on
    one channel."""
    return f"{event_id}:{recipient_id}:{channel.value}"


@dataclass(frozen=True)
class Delivery:
    """A notification to deliver through a provider (email, push service, webhook endpoint)."""

    key: str
    event_id: str
    recipient_id: str
    channel: Channel
    template: str
    locale: str
    address: str
    context: dict[str, Any]
    created_at: datetime
    #: The preference category; None for what belongs to none: a digest (it mixes them) and a
    #: webhook delivery (an integrator's, no person's preferences apply).
    category: Category | None = Category.ACCOUNT
    urgency: Urgency = Urgency.NORMAL
    community_id: str | None = None
    #: When it may be sent; later than ``created_at`` when deferred past quiet hours.
    due_at: datetime | None = None
    #: Holds a single-use secret: the rendered context is dropped once sent or failed.
    sensitive: bool = False
    #: Set when the recipient's address is not known yet: the delivery waits for it until then,
    #: and fails after.
    park_until: datetime | None = None
    trace_headers: dict[str, str] = field(default_factory=dict)
    attempts: int = 0
    #: When the event that caused it happened (its latency is measured from there); None for
    #: what is not sent as soon as it can be (held for quiet hours, a digest).
    event_time: datetime | None = None

    @property
    def category_label(self) -> str:
        """What the delivery log, outcome events and message headers call its category: the
        preference category, else what it is (``digest``, ``webhook``)."""
        return self.category.value if self.category is not None else self.template

    @property
    def deferred(self) -> bool:
        """Held back (quiet hours) rather than due at once."""
        return self.due_at is not None and self.due_at > self.created_at


def retry_delay(
    attempts: int,
    *,
    base: timedelta = timedelta(seconds=5),
    cap: timedelta = timedelta(hours=1),
    jitter: float = 0.0,
) -> timedelta:
    """Exponential backoff between attempts, capped; ``jitter`` (0..1) spreads retries apart."""
    delay: timedelta = min(base * (2 ** min(max(attempts - 1, 0), 20)), cap)
    if jitter:
        # Not for security: only spreads retries of many deliveries over time.
        delay *= 1 + random.uniform(-jitter, jitter)  # noqa: S311
    return delay
