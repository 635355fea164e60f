"""Webhook deliveries signed per the Standard Webhooks specification."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from notifications.adapters.provider_rates import ProviderRate
from notifications.domain.deliveries import Delivery, PermanentDeliveryError, TransientDeliveryError
from notifications.domain.errors import UnsafeUrl
from notifications.service.ports import UrlGuard, WebhookOutcomes, WebhookRegistry


class WebhookSender:
    """POSTs the CloudEvent with ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``."""

    provider = "webhook"

    def __init__(
        self,
        *,
        registry: WebhookRegistry,
        guard: UrlGuard,
        outcomes: WebhookOutcomes,
        timeout_s: float,
        limits: ProviderRate | None = None,
    ) -> None:
        self._registry = registry
        self._guard = guard
        self._outcomes = outcomes
        self._timeout = timeout_s
        self._limits = limits

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
        if self._limits is not None:
            await self._limits.take(urlsplit(subscription.url).netloc)
        payload = str(delivery.context["payload"])
        headers = self.headers(delivery, subscription.secret, payload, datetime.now(UTC))
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client:
                response = await client.post(subscription.url, content=payload, headers=headers)
        except httpx.HTTPError as exc:
            await self._outcomes.record(subscription, ok=False)
            raise TransientDeliveryError(f"webhook unreachable: {exc!r}") from exc
        status = response.status_code
        await self._outcomes.record(subscription, ok=200 <= status < 300)
        if 200 <= status < 300:
            return
        if status in (408, 429) or status >= 500:
            raise TransientDeliveryError(f"webhook answered {status}")
        raise PermanentDeliveryError(f"webhook answered {status}")
