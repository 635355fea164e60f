"""Browsers subscribing to and unsubscribing from web push."""

from notifications.domain.errors import InvalidPushSubscription, SubscriptionNotFound, UnsafeUrl
from notifications.service.ports import Ports, PushSubscription


async def server_key(*, ports: Ports) -> str:
    """The key browsers pass as ``applicationServerKey`` (stable across restarts)."""
    return await ports.server_key.public_key()


async def subscribe_device(user_id: str, subscription: PushSubscription, *, ports: Ports) -> None:
    """Remember a browser's subscription for the caller (again is harmless). Refused
    (``InvalidPushSubscription``) unless its endpoint is https on a known push service that
    resolves to public addresses: the service will POST there."""
    problem = ports.push_endpoints.problem(subscription.endpoint)
    if problem is None and ports.push_guard is not None:
        try:
            await ports.push_guard.check(subscription.endpoint)
        except UnsafeUrl as exc:
            problem = str(exc)
    if problem is not None:
        raise InvalidPushSubscription({"endpoint": problem})
    await ports.devices.save(user_id, subscription)


async def unsubscribe_device(user_id: str, endpoint: str, *, ports: Ports) -> None:
    """Forget one of the caller's subscriptions (only their own)."""
    if not await ports.devices.remove(user_id, endpoint):
        raise SubscriptionNotFound
