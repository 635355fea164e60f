"""Web push: the VAPID public key and browsers' subscriptions."""

from fastapi import APIRouter, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import problem_responses
from notifications.entrypoints.deps import Deps
from notifications.entrypoints.schemas import PushSubscriptionIn, PushUnsubscribeIn, VapidKeyOut
from notifications.service.devices import server_key, subscribe_device, unsubscribe_device
from notifications.service.ports import PushSubscription

router = APIRouter(prefix="/api/v1/push", tags=["push"])


@router.get(
    "/vapid-public-key",
    response_model=VapidKeyOut,
    summary="The VAPID public key",
    responses=problem_responses(503),
)
async def vapid_public_key(deps: Deps) -> VapidKeyOut:
    """Pass it as `applicationServerKey` to `pushManager.subscribe`. It stays the same across
    restarts (set in production, else generated once and stored)."""
    return VapidKeyOut(public_key=await server_key(ports=deps.ports))


@router.post(
    "/subscriptions",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Subscribe this browser to push",
    responses=problem_responses(401, 422),
)
async def subscribe(body: PushSubscriptionIn, me: CurrentUser, deps: Deps) -> None:
    """Takes `PushSubscription.toJSON()` as the browser gives it; subscribing again is harmless."""
    await subscribe_device(
        me.user_id,
        PushSubscription(
            endpoint=str(body.endpoint),
            p256dh=body.keys.p256dh,
            auth=body.keys.auth,
            expiration_time=body.expirationTime,
        ),
        ports=deps.ports,
    )


@router.post(
    "/subscriptions/delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unsubscribe this browser from push",
    responses=problem_responses(
        401, 404, 422, descriptions={404: "The caller has no such subscription"}
    ),
)
async def unsubscribe(body: PushUnsubscribeIn, me: CurrentUser, deps: Deps) -> None:
    """Forget the subscription with this endpoint (only the caller's own)."""
    await unsubscribe_device(me.user_id, str(body.endpoint), ports=deps.ports)
