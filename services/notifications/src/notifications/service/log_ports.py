"""What the delivery log use cases need: records of deliveries, filters, pages, resets."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from notifications.domain.deliveries import Channel, DeliveryStatus


@dataclass(frozen=True)
class DeliveryRecord:
    """A delivery as the delivery log shows it: its state, without content or address."""

    key: str
    event_id: str
    recipient_id: str
    channel: Channel
    kind: str
    category: str
    urgency: str
    community_id: str | None
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    due_at: datetime | None
    deferred: bool = False
    last_error: str | None = None
    #: Why it did not arrive, as a category (``Failure``); what its recipient is shown.
    failure: str | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    replayed_at: datetime | None = None
    #: False once a single-use secret was dropped: such a delivery cannot be sent again.
    replayable: bool = True


@dataclass(frozen=True)
class DeliveryFilter:
    """What a delivery log query selects; None matches anything."""

    status: DeliveryStatus | None = None
    event_id: str | None = None
    recipient_id: str | None = None
    channel: Channel | None = None
    community_id: str | None = None


#: Where a page of the log continues: after the entry (created_at, key), newest first.
LogPosition = tuple[datetime, str]


class DeliveryLog(Protocol):
    """The delivery log: states of deliveries, and sending some of them again."""

    async def page(
        self, selected: DeliveryFilter, *, after: LogPosition | None, limit: int
    ) -> list[DeliveryRecord]:
        """Up to ``limit`` entries newest first, older than ``after``."""
        ...

    async def get(self, key: str) -> DeliveryRecord | None: ...

    async def retry(self, key: str, *, now: datetime) -> DeliveryRecord | None: ...

    async def replay(
        self,
        recipient_id: str,
        *,
        channel: Channel,
        keys: Sequence[str] | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
        now: datetime,
    ) -> int: ...

    def wake(self) -> None: ...
