"""Browsers subscribing to and unsubscribing from web push."""

from notifications.service.ports import PushDevices, PushSubscription


async def subscribe_device(
    user_id: str, subscription: PushSubscription, *, devices: PushDevices
) -> None:
    """Remember a browser's subscription for the caller (again is harmless)."""
    await devices.save(user_id, subscription)


async def unsubscribe_device(user_id: str, endpoint: str, *, devices: PushDevices) -> bool:
    """Forget one of the caller's subscriptions; False when the caller has no such one."""
    return await devices.remove(user_id, endpoint)
