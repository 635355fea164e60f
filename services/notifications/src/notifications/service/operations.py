"""The delivery log for operations (every delivery, by state or event; failed ones replayed)
and for each person (their own deliveries)."""

from datetime import datetime

from cerchia_chassis.domain.cursors import InvalidCursor, Page, decode_optional, page_of
from notifications.domain.deliveries import DeliveryStatus
from notifications.domain.errors import DeliveryNotFound, NotOperator, NotRetryable
from notifications.service.log_ports import (
    DeliveryFilter,
    DeliveryLog,
    DeliveryRecord,
    LogPosition,
)
from notifications.service.ports import Ports


def _after(cursor: str | None) -> LogPosition | None:
    position = decode_optional(cursor, arity=2)
    if position is None:
        return None
    moment, key = position
    if not isinstance(moment, datetime) or not isinstance(key, str):
        raise InvalidCursor
    return moment, key


async def log_page(
    log: DeliveryLog, selected: DeliveryFilter, *, cursor: str | None, limit: int
) -> Page[DeliveryRecord]:
    """A page of the log, newest first; the cursor continues after its last entry."""
    records = await log.page(selected, after=_after(cursor), limit=limit + 1)
    return page_of(records, limit, lambda record: (record.created_at, record.key))


def require_operator(user_id: str, ports: Ports) -> None:
    """Operations endpoints are for the user ids listed in settings."""
    if user_id not in ports.operators:
        raise NotOperator


async def delivery_log(
    caller_id: str, selected: DeliveryFilter, *, cursor: str | None, limit: int, ports: Ports
) -> Page[DeliveryRecord]:
    """Any deliveries, newest first (operations only)."""
    require_operator(caller_id, ports)
    return await log_page(ports.log, selected, cursor=cursor, limit=limit)


async def own_deliveries(
    user_id: str, *, status: DeliveryStatus | None, cursor: str | None, limit: int, ports: Ports
) -> Page[DeliveryRecord]:
    """The caller's own deliveries, newest first."""
    selected = DeliveryFilter(status=status, recipient_id=user_id)
    return await log_page(ports.log, selected, cursor=cursor, limit=limit)


async def retry_delivery(caller_id: str, key: str, *, ports: Ports) -> DeliveryRecord:
    """Queue a failed delivery again with fresh attempts (operations only); its outcome is
    published again when it ends."""
    require_operator(caller_id, ports)
    retried = await ports.log.retry(key, now=ports.clock())
    if retried is not None:
        ports.log.wake()
        return retried
    if await ports.log.get(key) is None:
        raise DeliveryNotFound
    raise NotRetryable
