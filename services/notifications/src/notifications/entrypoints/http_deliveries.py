"""The delivery log: operations read every delivery and replay failed ones; people read theirs."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import Problem, problem_responses
from notifications.entrypoints.delivery_schemas import (
    DeliveryOut,
    DeliveryPageOut,
    DeliveryQuery,
    PageQuery,
)
from notifications.entrypoints.http.deps import Deps
from notifications.service.log_ports import DeliveryFilter, DeliveryPage, DeliveryRecord
from notifications.service.operations import (
    DeliveryNotFound,
    NotOperator,
    NotRetryable,
    delivery_log,
    own_deliveries,
    retry_delivery,
)

router = APIRouter(prefix="/api/v1/notifications/deliveries", tags=["deliveries"])


_OPERATORS_ONLY = {403: "Only the operations team (settings `operator_ids`) reads the log"}


def delivery_out(record: DeliveryRecord) -> DeliveryOut:
    """The API view of a log entry."""
    return DeliveryOut(
        key=record.key,
        event_id=record.event_id,
        recipient_id=record.recipient_id,
        channel=record.channel,
        kind=record.kind,
        category=record.category,
        urgency=record.urgency,
        community_id=record.community_id,
        status=record.status,
        attempts=record.attempts,
        deferred=record.deferred,
        last_error=record.last_error,
        created_at=record.created_at,
        due_at=record.due_at,
        sent_at=record.sent_at,
        failed_at=record.failed_at,
        replayed_at=record.replayed_at,
        replayable=record.replayable,
    )


def page_out(page: DeliveryPage) -> DeliveryPageOut:
    """The API view of a page of the log."""
    return DeliveryPageOut(
        items=[delivery_out(r) for r in page.items], next_cursor=page.next_cursor
    )


def _forbidden(exc: NotOperator) -> Problem:
    return Problem(403, "not-operator", "Only the operations team reads the delivery log.")


@router.get(
    "",
    response_model=DeliveryPageOut,
    summary="The delivery log (operations)",
    responses=problem_responses(401, 403, 422, descriptions=_OPERATORS_ONLY),
)
async def list_deliveries(
    me: CurrentUser, deps: Deps, query: Annotated[DeliveryQuery, Query()]
) -> DeliveryPageOut:
    """Deliveries newest first, filtered by state (`?status=failed` lists the dead letters),
    source event, recipient, community or channel. Restricted to the user ids of the
    `NOTIFICATIONS_OPERATOR_IDS` setting."""
    selected = DeliveryFilter(
        status=query.status,
        event_id=query.event_id,
        recipient_id=query.recipient_id,
        channel=query.channel,
        community_id=query.community_id,
    )
    try:
        page = await delivery_log(
            me.user_id,
            selected,
            cursor=query.cursor,
            limit=query.limit,
            operators=deps.settings.operator_ids,
            log=deps.log,
        )
    except NotOperator as exc:
        raise _forbidden(exc) from exc
    return page_out(page)


@router.get(
    "/mine",
    response_model=DeliveryPageOut,
    summary="The caller's own deliveries",
    responses=problem_responses(401, 422),
)
async def list_my_deliveries(
    me: CurrentUser, deps: Deps, query: Annotated[PageQuery, Query()]
) -> DeliveryPageOut:
    """What was emailed or pushed to the caller and how it went (queued, deferred, sent,
    failed with the reason)."""
    page = await own_deliveries(
        me.user_id, status=query.status, cursor=query.cursor, limit=query.limit, log=deps.log
    )
    return page_out(page)


@router.post(
    "/{key}/retry",
    response_model=DeliveryOut,
    summary="Send a failed delivery again (operations)",
    responses=problem_responses(
        401,
        403,
        404,
        409,
        422,
        descriptions={
            **_OPERATORS_ONLY,
            404: "No such delivery",
            409: "The delivery has not failed, or its single-use link is gone",
        },
    ),
)
async def retry(
    key: Annotated[str, Path(max_length=300, description="The delivery's idempotency key.")],
    me: CurrentUser,
    deps: Deps,
) -> DeliveryOut:
    """Queues the delivery with fresh attempts; its outcome is published again on
    `notifications.deliveries.v1`. Emails that carried a single-use link (verification,
    password reset, invitation) cannot be replayed: the link was dropped when they failed."""
    try:
        record = await retry_delivery(
            me.user_id, key, operators=deps.settings.operator_ids, log=deps.log
        )
    except NotOperator as exc:
        raise _forbidden(exc) from exc
    except DeliveryNotFound as exc:
        raise Problem(404, "delivery-not-found", "No such delivery.") from exc
    except NotRetryable as exc:
        raise Problem(
            409,
            "delivery-not-retryable",
            "Only failed deliveries that kept their content can be sent again.",
        ) from exc
    return delivery_out(record)
