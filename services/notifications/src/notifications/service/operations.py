"""The delivery log for operations (every delivery, by state or event; failed ones replayed)
and for each person (their own deliveries)."""

from collections.abc import Callable, Collection
from datetime import UTC, datetime

from notifications.domain.deliveries import DeliveryStatus
from notifications.service.log_ports import (
    DeliveryFilter,
    DeliveryLog,
    DeliveryPage,
    DeliveryRecord,
)


class NotOperator(Exception):
    """The caller is not on the operations team."""


class DeliveryNotFound(Exception):
    """No such delivery."""


class NotRetryable(Exception):
    """The delivery has not failed, or its single-use secret is gone."""


def require_operator(user_id: str, operators: Collection[str]) -> None:
    """Operations endpoints are for the user ids listed in settings."""
    if user_id not in operators:
        raise NotOperator(user_id)


async def delivery_log(
    caller_id: str,
    selected: DeliveryFilter,
    *,
    cursor: str | None,
    limit: int,
    operators: Collection[str],
    log: DeliveryLog,
) -> DeliveryPage:
    """Any deliveries, newest first (operations only)."""
    require_operator(caller_id, operators)
    return await log.page(selected, cursor=cursor, limit=limit)


async def own_deliveries(
    user_id: str,
    *,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
    log: DeliveryLog,
) -> DeliveryPage:
    """The caller's own deliveries, newest first."""
    selected = DeliveryFilter(status=status, recipient_id=user_id)
    return await log.page(selected, cursor=cursor, limit=limit)


async def retry_delivery(
    caller_id: str,
    key: str,
    *,
    operators: Collection[str],
    log: DeliveryLog,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> DeliveryRecord:
    """Queue a failed delivery again with fresh attempts (operations only); its outcome is
    published again when it ends."""
    require_operator(caller_id, operators)
    retried = await log.retry(key, now=clock())
    if retried is not None:
        log.wake()
        return retried
    current = await log.get(key)
    if current is None:
        raise DeliveryNotFound(key)
    raise NotRetryable(key)
