"""Webhook endpoints for integrators, managed by each community's owner."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import problem_responses
from cerchia_chassis.text import Line
from notifications.domain.webhooks import WebhookSubscription
from notifications.entrypoints.deps import Deps
from notifications.entrypoints.schemas import (
    ReplayedOut,
    SecretOut,
    WebhookIn,
    WebhookListOut,
    WebhookOut,
    WebhookReplayIn,
)
from notifications.entrypoints.schemas_deliveries import PAGED, DeliveryPageOut, PageQuery, page_out
from notifications.service.integrations import (
    delete_webhook,
    enable_webhook,
    list_webhooks,
    register_webhook,
    replay_webhook,
    rotate_secret,
    webhook_deliveries,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

_NOT_OWNER = {403: "The caller does not own the community"}
_NOT_FOUND = {404: "No such webhook of the caller's communities"}


def _out(subscription: WebhookSubscription, *, secret: bool = False) -> WebhookOut:
    return WebhookOut(
        id=subscription.id,
        community_id=subscription.community_id,
        url=subscription.url,
        event_types=list(subscription.event_types),
        active=subscription.active,
        created_at=subscription.created_at,
        secret=subscription.secret if secret else None,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookOut,
    summary="Register a webhook endpoint",
    responses=problem_responses(
        401,
        403,
        422,
        descriptions={**_NOT_OWNER, 422: "Invalid body, or a URL to a non-public address"},
    ),
)
async def register(body: WebhookIn, me: CurrentUser, deps: Deps) -> WebhookOut:
    """The response holds the signing secret; it is never shown again (rotate to replace it)."""
    subscription = await register_webhook(
        me.user_id,
        community_id=body.community_id,
        url=str(body.url),
        event_types=tuple(body.event_types),
        ports=deps.ports,
    )
    return _out(subscription, secret=True)


@router.get(
    "",
    response_model=WebhookListOut,
    summary="A community's webhooks",
    responses=problem_responses(401, 403, 422, descriptions=_NOT_OWNER),
)
async def list_all(
    me: CurrentUser, deps: Deps, community_id: Annotated[Line, Query(min_length=1, max_length=100)]
) -> WebhookListOut:
    """Secrets are not listed."""
    found = await list_webhooks(me.user_id, community_id=community_id, ports=deps.ports)
    return WebhookListOut(items=[_out(s) for s in found])


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a webhook",
    responses=problem_responses(401, 404, 422, descriptions=_NOT_FOUND),
)
async def remove(webhook_id: str, me: CurrentUser, deps: Deps) -> None:
    """Only the owner of the webhook's community may remove it."""
    await delete_webhook(me.user_id, webhook_id, ports=deps.ports)


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=SecretOut,
    summary="Replace a webhook's signing secret",
    responses=problem_responses(401, 404, 422, descriptions=_NOT_FOUND),
)
async def rotate(webhook_id: str, me: CurrentUser, deps: Deps) -> SecretOut:
    """The new secret is shown once; deliveries are signed with it from now on."""
    return SecretOut(secret=await rotate_secret(me.user_id, webhook_id, ports=deps.ports))


@router.post(
    "/{webhook_id}/enable",
    response_model=WebhookOut,
    summary="Enable a webhook again",
    responses=problem_responses(401, 404, 422, descriptions=_NOT_FOUND),
)
async def enable(webhook_id: str, me: CurrentUser, deps: Deps) -> WebhookOut:
    """An endpoint failing `webhook_disable_after` times in a row is disabled (and its owner
    told in the app); once fixed, enable it, then replay what it missed."""
    return _out(await enable_webhook(me.user_id, webhook_id, ports=deps.ports))


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryPageOut,
    summary="What was sent to a webhook",
    responses=problem_responses(400, 401, 404, 422, descriptions={**PAGED, **_NOT_FOUND}),
)
async def deliveries(
    webhook_id: str, me: CurrentUser, deps: Deps, query: Annotated[PageQuery, Query()]
) -> DeliveryPageOut:
    """Newest first, with each delivery's state (`?status=failed` for what did not arrive, why
    as a category in `failure`; `last_error`, the raw text, is for operations only and always
    null here); `event_id` is what a replay takes."""
    page = await webhook_deliveries(
        me.user_id,
        webhook_id,
        status=query.status,
        cursor=query.cursor,
        limit=query.limit,
        ports=deps.ports,
    )
    return page_out(page, with_errors=False)


@router.post(
    "/{webhook_id}/replay",
    response_model=ReplayedOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send events to a webhook again",
    responses=problem_responses(
        401,
        404,
        409,
        422,
        descriptions={**_NOT_FOUND, 409: "The webhook is disabled: enable it first"},
    ),
)
async def replay(
    webhook_id: str, body: WebhookReplayIn, me: CurrentUser, deps: Deps
) -> ReplayedOut:
    """Re-sends, by CloudEvent id or by time range, what the endpoint received or missed
    (at most `webhook_replay_max` per request, oldest first), signed with the current secret
    and with the same `webhook-id` as the first time, so receivers can deduplicate."""
    replayed = await replay_webhook(
        me.user_id,
        webhook_id,
        event_ids=body.event_ids,
        since=body.since,
        until=body.until,
        ports=deps.ports,
    )
    return ReplayedOut(replayed=replayed)
