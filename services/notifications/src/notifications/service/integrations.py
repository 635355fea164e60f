"""Webhook subscriptions for integrators: only a community's owner manages them."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from notifications.domain.deliveries import Channel, DeliveryStatus, idempotency_key
from notifications.domain.webhooks import WebhookSubscription, new_secret
from notifications.service.log_ports import DeliveryFilter, DeliveryLog, DeliveryPage
from notifications.service.ports import Communities, UrlGuard, WebhookRegistry


class NotOwner(Exception):
    """The caller does not own the community (or the subscription's community)."""


class WebhookDisabled(Exception):
    """The endpoint was disabled after repeated failures: enable it before replaying."""


class UnsafeUrl(Exception):
    """The URL points to a private, loopback or link-local address, or is not http(s)."""


async def _require_owner(community_id: str, user_id: str, communities: Communities) -> None:
    roles = await communities.roles(community_id)
    if roles.get(user_id) != "owner":
        raise NotOwner(community_id)


async def register_webhook(
    owner_id: str,
    *,
    community_id: str,
    url: str,
    event_types: tuple[str, ...],
    communities: Communities,
    registry: WebhookRegistry,
    guard: UrlGuard,
) -> WebhookSubscription:
    """Register an endpoint; the returned subscription holds the secret, shown only now."""
    await _require_owner(community_id, owner_id, communities)
    await guard.check(url)
    subscription = WebhookSubscription(
        id=str(uuid.uuid4()),
        community_id=community_id,
        owner_id=owner_id,
        url=url,
        event_types=event_types,
        secret=new_secret(),
        created_at=datetime.now(UTC),
    )
    await registry.add(subscription)
    return subscription


async def list_webhooks(
    owner_id: str, *, community_id: str, communities: Communities, registry: WebhookRegistry
) -> list[WebhookSubscription]:
    """The community's endpoints (secrets are never listed)."""
    await _require_owner(community_id, owner_id, communities)
    return await registry.of_community(community_id)


async def _owned(
    owner_id: str, subscription_id: str, communities: Communities, registry: WebhookRegistry
) -> WebhookSubscription:
    subscription = await registry.get(subscription_id)
    if subscription is None:
        raise NotOwner(subscription_id)
    await _require_owner(subscription.community_id, owner_id, communities)
    return subscription


async def delete_webhook(
    owner_id: str, subscription_id: str, *, communities: Communities, registry: WebhookRegistry
) -> None:
    """Remove an endpoint."""
    await _owned(owner_id, subscription_id, communities, registry)
    await registry.delete(subscription_id)


async def rotate_secret(
    owner_id: str, subscription_id: str, *, communities: Communities, registry: WebhookRegistry
) -> str:
    """Replace an endpoint's secret; the new one is returned once."""
    await _owned(owner_id, subscription_id, communities, registry)
    secret = new_secret()
    await registry.set_secret(subscription_id, secret)
    return secret


async def enable_webhook(
    owner_id: str, subscription_id: str, *, communities: Communities, registry: WebhookRegistry
) -> WebhookSubscription:
    """Take deliveries again after the endpoint was fixed (its failure count starts over)."""
    await _owned(owner_id, subscription_id, communities, registry)
    await registry.enable(subscription_id)
    enabled = await registry.get(subscription_id)
    if enabled is None:
        raise NotOwner(subscription_id)
    return enabled


async def webhook_deliveries(
    owner_id: str,
    subscription_id: str,
    *,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
    communities: Communities,
    registry: WebhookRegistry,
    log: DeliveryLog,
) -> DeliveryPage:
    """What was sent (or failed) to an endpoint, newest first: what a replay can choose from."""
    await _owned(owner_id, subscription_id, communities, registry)
    selected = DeliveryFilter(status=status, recipient_id=subscription_id, channel=Channel.WEBHOOK)
    return await log.page(selected, cursor=cursor, limit=limit)


async def replay_webhook(
    owner_id: str,
    subscription_id: str,
    *,
    event_ids: Sequence[str] | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    communities: Communities,
    registry: WebhookRegistry,
    log: DeliveryLog,
) -> int:
    """Send again what the endpoint received or missed, by event id or by time range; the
    receiver sees the same ``webhook-id`` as the first time. Returns how many were queued."""
    subscription = await _owned(owner_id, subscription_id, communities, registry)
    if not subscription.active:
        raise WebhookDisabled(subscription_id)
    keys = (
        None
        if event_ids is None
        else [idempotency_key(event_id, subscription_id, Channel.WEBHOOK) for event_id in event_ids]
    )
    replayed = await log.replay(
        subscription_id,
        channel=Channel.WEBHOOK,
        keys=keys,
        since=since,
        until=until,
        limit=limit,
        now=datetime.now(UTC),
    )
    if replayed:
        log.wake()
    return replayed
