"""Webhook deliveries signed per the Standard Webhooks specification."""

import asyncio
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpcore
import httpx
from standardwebhooks.webhooks import Webhook

from notifications.adapters.provider_rates import ProviderRate
from notifications.adapters.url_guard import NetworkUrlGuard, PinnedBackend
from notifications.domain.deliveries import (
    Delivery,
    Failure,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifications.domain.errors import UnsafeUrl
from notifications.service.ports import WebhookOutcomes, WebhookRegistry


class WebhookSender:
    """POSTs the CloudEvent with ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``."""

    provider = "webhook"

    def __init__(
        self,
        *,
        registry: WebhookRegistry,
        guard: NetworkUrlGuard,
        outcomes: WebhookOutcomes,
        timeout_s: float,
        max_response_bytes: int = 64 * 1024,
        limits: ProviderRate | None = None,
    ) -> None:
        self._registry = registry
        self._guard = guard
        self._outcomes = outcomes
        self._timeout = timeout_s
        self._max_response_bytes = max_response_bytes
        self._limits = limits
        self._client: httpx.AsyncClient | None = None

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

    async def close(self) -> None:
        """Close the connections kept to endpoints."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        # Created on first use, inside the running loop. Redirects are not followed (a
        # redirect could lead anywhere); every connection goes to an address the pinned
        # backend checked itself.
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=pinned_transport(allow_private=self._guard.allow_private),
                follow_redirects=False,
                timeout=self._timeout,
                trust_env=False,
            )
        return self._client

    async def send(self, delivery: Delivery) -> None:
        """Deliver one event; 2xx is success, 408/429/5xx and network errors are retried.
        One call takes at most ``timeout_s`` in all (connecting, sending, the answer), and at
        most ``max_response_bytes`` of the answer are read: a slow or endless endpoint costs
        its own deliveries, nobody else's."""
        subscription = await self._registry.get(delivery.recipient_id)
        if subscription is None or not subscription.active:
            raise PermanentDeliveryError(
                "webhook subscription removed or disabled", Failure.NO_DESTINATION
            )
        try:
            await self._guard.check(subscription.url)
        except UnsafeUrl as exc:
            raise PermanentDeliveryError(str(exc)) from exc
        if self._limits is not None:
            await self._limits.take(urlsplit(subscription.url).netloc)
        payload = str(delivery.context["payload"])
        headers = self.headers(delivery, subscription.secret, payload, datetime.now(UTC))
        try:
            async with asyncio.timeout(self._timeout):
                status = await self._post(subscription.url, payload, headers)
        except (httpx.HTTPError, TimeoutError) as exc:
            await self._outcomes.record(subscription, ok=False)
            reason = "timed out" if isinstance(exc, TimeoutError) else repr(exc)
            raise TransientDeliveryError(f"webhook unreachable: {reason}") from exc
        await self._outcomes.record(subscription, ok=200 <= status < 300)
        if 200 <= status < 300:
            return
        if status in (408, 429) or status >= 500:
            raise TransientDeliveryError(f"webhook answered {status}")
        raise PermanentDeliveryError(f"webhook answered {status}")

    async def _post(self, url: str, payload: str, headers: dict[str, str]) -> int:
        """The answer's status, after reading at most ``max_response_bytes`` of its body (the
        connection is dropped rather than drained when there is more)."""
        async with self._http().stream("POST", url, content=payload, headers=headers) as response:
            read = 0
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read >= self._max_response_bytes:
                    break
            return response.status_code


def pinned_transport(*, allow_private: bool) -> httpx.AsyncHTTPTransport:
    """httpx's transport on a connection pool whose network backend resolves each host once,
    checks the addresses and connects to the one checked (httpx takes no network backend of
    its own yet: encode/httpx#3749)."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        network_backend=PinnedBackend(allow_private=allow_private),
    )
    return transport
