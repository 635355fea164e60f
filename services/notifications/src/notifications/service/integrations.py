"""Webhook subscriptions for integrators: only a community's owner manages them."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from cerchia_chassis.domain.cursors import Page
from notifications.domain.deliveries import Channel, DeliveryStatus, idempotency_key
from notifications.domain.errors import NotOwner, WebhookDisabled, WebhookNotFound
from notifications.domain.webhooks import WebhookSubscription, check_registration, new_secret
from notifications.service.log_ports import DeliveryFilter, DeliveryRecord
from notifications.service.operations import log_page
from notifications.service.ports import Ports


async def _owns(community_id: str, user_id: str, ports: Ports) -> bool:
    member = await ports.communities.member(community_id, user_id)
    return member is not None and member.active and member.role == "owner"


async def _require_owner(community_id: str, user_id: str, ports: Ports) -> None:
    if not await _owns(community_id, user_id, ports):
        raise NotOwner


async def _owned(owner_id: str, subscription_id: str, ports: Ports) -> WebhookSubscription:
    """The subscription, if the caller owns its community; absent otherwise (no hint that
    another community's webhook exists)."""
    subscription = await ports.webhooks.get(subscription_id)
    if subscription is None or not await _owns(subscription.community_id, owner_id, ports):
        raise WebhookNotFound
    return subscription


async def register_webhook(
    owner_id: str, *, community_id: str, url: str, event_types: tuple[str, ...], ports: Ports
) -> WebhookSubscription:
    """Register an endpoint; the returned subscription holds the secret, shown only now.
    Refused (``InvalidWebhook``) for event types webhooks never receive, credentials in the
    URL, a port out of range or plain http (unless the local-development switch is on); then
    the URL guard refuses hosts that resolve to non-public addresses."""
    await _require_owner(community_id, owner_id, ports)
    check_registration(url, event_types, allow_http=ports.webhook_allow_http)
    await ports.guard.check(url)
    subscription = WebhookSubscription(
        id=str(uuid.uuid4()),
        community_id=community_id,
        owner_id=owner_id,
        url=url,
        event_types=event_types,
        secret=new_secret(),
        created_at=ports.clock(),
    )
    await ports.webhooks.add(subscription)
    return subscription


async def list_webhooks(
    owner_id: str, *, community_id: str, ports: Ports
) -> list[WebhookSubscription]:
    """The community's endpoints (secrets are never listed)."""
    await _require_owner(community_id, owner_id, ports)
    return await ports.webhooks.of_community(community_id)


async def delete_webhook(owner_id: str, subscription_id: str, *, ports: Ports) -> None:
    """Remove an endpoint."""
    await _owned(owner_id, subscription_id, ports)
    await ports.webhooks.delete(subscription_id)


async def rotate_secret(owner_id: str, subscription_id: str, *, ports: Ports) -> str:
    """Replace an endpoint's secret; the new one is returned once."""
    await _owned(owner_id, subscription_id, ports)
    secret = new_secret()
    await ports.webhooks.set_secret(subscription_id, secret)
    return secret


async def enable_webhook(
    owner_id: str, subscription_id: str, *, ports: Ports
) -> WebhookSubscription:
    """Take deliveries again after the endpoint was fixed (its failure count starts over)."""
    await _owned(owner_id, subscription_id, ports)
    await ports.webhooks.enable(subscription_id)
    enabled = await ports.webhooks.get(subscription_id)
    if enabled is None:
        raise WebhookNotFound
    return enabled


async def webhook_deliveries(
    owner_id: str,
    subscription_id: str,
    *,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
    ports: Ports,
) -> Page[DeliveryRecord]:
    """What was sent (or failed) to an endpoint, newest first: what a replay can choose from."""
    await _owned(owner_id, subscription_id, ports)
    selected = DeliveryFilter(status=status, recipient_id=subscription_id, channel=Channel.WEBHOOK)
    return await log_page(ports.log, selected, cursor=cursor, limit=limit)


async def replay_webhook(
    owner_id: str,
    subscription_id: str,
    *,
    event_ids: Sequence[str] | None,
    since: datetime | None,
    until: datetime | None,
    ports: Ports,
) -> int:
    """Send again what the endpoint received or missed, by event id or by time range (at most
    ``ports.replay_max``); the receiver sees the same ``webhook-id`` as the first time.
    Returns how many were queued."""
    subscription = await _owned(owner_id, subscription_id, ports)
    if not subscription.active:
        raise WebhookDisabled
    keys = (
        None
        if event_ids is None
        else [idempotency_key(event_id, subscription_id, Channel.WEBHOOK) for event_id in event_ids]
    )
    replayed = await ports.log.replay(
        subscription_id,
        channel=Channel.WEBHOOK,
        keys=keys,
        since=since,
        until=until,
        limit=ports.replay_max,
        now=ports.clock(),
    )
    if replayed:
        ports.log.wake()
    return replayed
