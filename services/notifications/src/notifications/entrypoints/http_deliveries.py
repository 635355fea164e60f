"""The delivery log: operations read every delivery and replay failed ones; people read theirs."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import problem_responses
from notifications.entrypoints.deps import Deps
from notifications.entrypoints.schemas_deliveries import (
    PAGED,
    DeliveryOut,
    DeliveryPageOut,
    DeliveryQuery,
    PageQuery,
    delivery_out,
    page_out,
)
from notifications.service.log_ports import DeliveryFilter
from notifications.service.operations import delivery_log, own_deliveries, retry_delivery

router = APIRouter(prefix="/api/v1/notifications/deliveries", tags=["deliveries"])


_OPERATORS_ONLY = {403: "Only the operations team (settings `operator_ids`) reads the log"}


@router.get(
    "",
    response_model=DeliveryPageOut,
    summary="The delivery log (operations)",
    responses=problem_responses(400, 401, 403, 422, descriptions={**PAGED, **_OPERATORS_ONLY}),
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
    page = await delivery_log(
        me.user_id, selected, cursor=query.cursor, limit=query.limit, ports=deps.ports
    )
    return page_out(page)


@router.get(
    "/mine",
    response_model=DeliveryPageOut,
    summary="The caller's own deliveries",
    responses=problem_responses(400, 401, 422, descriptions=PAGED),
)
async def list_my_deliveries(
    me: CurrentUser, deps: Deps, query: Annotated[PageQuery, Query()]
) -> DeliveryPageOut:
    """What was emailed or pushed to the caller and how it went (queued, deferred, sent,
    failed with the reason as a category in `failure`; `last_error` is always null here)."""
    page = await own_deliveries(
        me.user_id, status=query.status, cursor=query.cursor, limit=query.limit, ports=deps.ports
    )
    return page_out(page, with_errors=False)


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
    return delivery_out(await retry_delivery(me.user_id, key, ports=deps.ports))
