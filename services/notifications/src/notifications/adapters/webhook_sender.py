"""Webhook deliveries signed per the Standard Webhooks specification."""

from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from notifications.domain.deliveries import Delivery, PermanentDeliveryError, TransientDeliveryError
from notifications.service.integrations import UnsafeUrl
from notifications.service.ports import UrlGuard, WebhookRegistry


class WebhookSender:
    """POSTs the CloudEvent with ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``."""

    def __init__(
        self,
        *,
        registry: WebhookRegistry,
        guard: UrlGuard,
        timeout_s: float,
        disable_after: int,
    ) -> None:
        self._registry = registry
        self._guard = guard
        self._timeout = timeout_s
        self._disable_after = disable_after

    @staticmethod
    def headers(delivery: Delivery, secret: str, payload: str, now: datetime) -> dict[str, str]:
        """The signed headers; ``webhook-id`` is the idempotency key, stable across retries."""
        signature = Webhook(secret).sign(msg_id=delivery.key, timestamp=now, data=payload)
        return {
            "content-type": "application/cloudevents+json",
            "webhook-id": delivery.key,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }

    async def send(self, delivery: Delivery) -> None:
        """Deliver one event; 2xx is success, 408/429/5xx and network errors are retried."""
        subscription = await self._registry.get(delivery.recipient_id)
        if subscription is None or not subscription.active:
            raise PermanentDeliveryError("webhook subscription removed or disabled")
        try:
            await self._guard.check(subscription.url)
        except UnsafeUrl as exc:
            raise PermanentDeliveryError(str(exc)) from exc
        payload = str(delivery.context["payload"])
        headers = self.headers(delivery, subscription.secret, payload, datetime.now(UTC))
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client:
                response = await client.post(subscription.url, content=payload, headers=headers)
        except httpx.HTTPError as exc:
            await self._outcome(subscription.id, ok=False)
            raise TransientDeliveryError(f"webhook unreachable: {exc!r}") from exc
        status = response.status_code
        await self._outcome(subscription.id, ok=200 <= status < 300)
        if 200 <= status < 300:
            return
        if status in (408, 429) or status >= 500:
            raise TransientDeliveryError(f"webhook answered {status}")
        raise PermanentDeliveryError(f"webhook answered {status}")

    async def _outcome(self, subscription_id: str, *, ok: bool) -> None:
        await self._registry.record_outcome(
            subscription_id, ok=ok, disable_after=self._disable_after
        )
