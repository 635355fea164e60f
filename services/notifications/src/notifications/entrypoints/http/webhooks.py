"""Webhook endpoints for integrators, managed by each community's owner."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import Problem
from notifications.domain.webhooks import WebhookSubscription
from notifications.entrypoints.http.deps import Deps
from notifications.entrypoints.schemas import SecretOut, WebhookIn, WebhookListOut, WebhookOut
from notifications.service.integrations import (
    NotOwner,
    UnsafeUrl,
    delete_webhook,
    list_webhooks,
    register_webhook,
    rotate_secret,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

Responses = dict[int | str, dict[str, Any]]
_FORBIDDEN: Responses = {403: {"description": "The caller does not own the community"}}
_NOT_FOUND: Responses = {404: {"description": "No such webhook of the caller's communities"}}


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
    responses={**_FORBIDDEN, 422: {"description": "URL refused"}},
)
async def register(body: WebhookIn, me: CurrentUser, deps: Deps) -> WebhookOut:
    """The response holds the signing secret; it is never shown again (rotate to replace it)."""
    try:
        subscription = await register_webhook(
            me.user_id,
            community_id=body.community_id,
            url=str(body.url),
            event_types=tuple(body.event_types),
            communities=deps.communities,
            registry=deps.webhooks,
            guard=deps.guard,
        )
    except NotOwner as exc:
        raise Problem(403, "not-owner", "Only the community's owner manages webhooks.") from exc
    except UnsafeUrl as exc:
        raise Problem(422, "unsafe-url", str(exc)) from exc
    return _out(subscription, secret=True)


@router.get(
    "", response_model=WebhookListOut, summary="A community's webhooks", responses=_FORBIDDEN
)
async def list_all(
    me: CurrentUser, deps: Deps, community_id: Annotated[str, Query(min_length=1, max_length=100)]
) -> WebhookListOut:
    """Secrets are not listed."""
    try:
        found = await list_webhooks(
            me.user_id,
            community_id=community_id,
            communities=deps.communities,
            registry=deps.webhooks,
        )
    except NotOwner as exc:
        raise Problem(403, "not-owner", "Only the community's owner manages webhooks.") from exc
    return WebhookListOut(items=[_out(s) for s in found])


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a webhook",
    responses=_NOT_FOUND,
)
async def remove(webhook_id: str, me: CurrentUser, deps: Deps) -> None:
    """Only the owner of the webhook's community may remove it."""
    try:
        await delete_webhook(
            me.user_id, webhook_id, communities=deps.communities, registry=deps.webhooks
        )
    except NotOwner as exc:
        raise Problem(404, "webhook-not-found", "No such webhook.") from exc


@router.post(
    "/{webhook_id}/rotate-secret",
    response_model=SecretOut,
    summary="Replace a webhook's signing secret",
    responses=_NOT_FOUND,
)
async def rotate(webhook_id: str, me: CurrentUser, deps: Deps) -> SecretOut:
    """The new secret is shown once; deliveries are signed with it from now on."""
    try:
        secret = await rotate_secret(
            me.user_id, webhook_id, communities=deps.communities, registry=deps.webhooks
        )
    except NotOwner as exc:
        raise Problem(404, "webhook-not-found", "No such webhook.") from exc
    return SecretOut(secret=secret)
