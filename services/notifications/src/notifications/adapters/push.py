"""Web Push (RFC 8030/8291/8292) with pywebpush: VAPID-signed, encrypted, with TTL and urgency."""

import json
import time
from typing import Any, cast
from urllib.parse import urlsplit

import aiohttp
from aiodataloader import DataLoader
from py_vapid import Vapid
from pywebpush import WebPushException, webpush_async

from notifications.adapters.provider_rates import ProviderRate
from notifications.adapters.url_guard import (
    NetworkUrlGuard,
    NonPublicAddress,
    PinnedResolver,
    literal_problem,
)
from notifications.adapters.vapid_keys import VapidKeys
from notifications.domain.deliveries import (
    Delivery,
    Failure,
    PermanentDeliveryError,
    PushAnswer,
    settle_push,
)
from notifications.domain.push_endpoints import PushEndpointPolicy
from notifications.service.ports import PushDevices, PushSubscription

GONE = frozenset({404, 410})
#: A VAPID token is signed once per push service and reused until an hour before it expires
#: (RFC 8292 allows up to 24 h): signing per message cost more than encrypting it.
VAPID_LIFETIME_S = 12 * 3600
VAPID_REFRESH_S = 3600


class WebPushSender:
    """Sends a push delivery to every browser of its recipient; gone browsers are forgotten."""

    provider = "web-push"

    def __init__(
        self,
        *,
        keys: VapidKeys,
        subject: str,
        devices: PushDevices,
        base_url: str,
        ttl_s: int,
        endpoints: PushEndpointPolicy,
        guard: NetworkUrlGuard,
        timeout_s: float = 10.0,
        limits: ProviderRate | None = None,
    ) -> None:
        self._endpoints = endpoints
        self._guard = guard
        self._keys = keys
        self._limits = limits
        self._subject = subject
        self._devices = devices
        self._base_url = base_url.rstrip("/")
        self._ttl = ttl_s
        self._timeout = timeout_s
        self._signed: dict[str, tuple[int, dict[str, str]]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._loader: DataLoader[str, list[PushSubscription]] | None = None

    async def close(self) -> None:
        """Close the HTTP connections kept to push services."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running loop; connections to a push service are kept.
        # Its resolver checks the addresses it hands the connector: no second lookup.
        if self._session is None or self._session.closed:
            resolver = PinnedResolver(allow_private=self._guard.allow_private)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(resolver=resolver), trust_env=False
            )
        return self._session

    async def _subscriptions(self, user_id: str) -> list[PushSubscription]:
        # The dispatcher sends a group of deliveries at once: the lookups its push deliveries
        # start in the same turn of the event loop become one query (no cache: a browser that
        # unsubscribed must not be pushed to again).
        if self._loader is None:
            self._loader = DataLoader(self._load_subscriptions, cache=False)
        return await self._loader.load(user_id)

    async def _load_subscriptions(self, user_ids: list[str]) -> list[list[PushSubscription]]:
        found = await self._devices.of_many(user_ids)
        return [found.get(user, []) for user in user_ids]

    def vapid_headers(self, vapid: Vapid, endpoint: str) -> dict[str, str]:
        """The ``Authorization`` header for ``endpoint``'s push service, signed at most hourly."""
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = int(time.time())
        cached = self._signed.get(audience)
        if cached is None or cached[0] - now < VAPID_REFRESH_S:
            expires = now + VAPID_LIFETIME_S
            signed = vapid.sign({"sub": self._subject, "aud": audience, "exp": expires})
            cached = (expires, {str(k): str(v) for k, v in signed.items()})
            self._signed[audience] = cached
        return cached[1]

    def payload(self, delivery: Delivery) -> str:
        """What the service worker receives and shows."""
        context = delivery.context
        return json.dumps(
            {
                "title": context.get("title", ""),
                "body": context.get("body", ""),
                "url": self._base_url + str(context.get("link") or "/"),
                # The same tag replaces rather than repeats a notification shown twice.
                "tag": delivery.key,
                "category": delivery.category_label,
            },
            ensure_ascii=False,
        )

    async def send(self, delivery: Delivery) -> None:
        """Push to each subscription; raise transient if any push service asked to retry, and
        permanent when none took it (gone subscriptions are removed)."""
        subscriptions = await self._subscriptions(delivery.recipient_id)
        if not subscriptions:
            raise PermanentDeliveryError("no push subscription", Failure.NO_DESTINATION)
        if self._limits is not None:
            hosts = (urlsplit(s.endpoint).netloc for s in subscriptions)
            await self._limits.take(*hosts)
        data = self.payload(delivery)
        vapid = await self._keys.get()
        answers = [
            await self._push(subscription, data, delivery, vapid) for subscription in subscriptions
        ]
        settle_push(answers)

    async def _push(
        self, subscription: PushSubscription, data: str, delivery: Delivery, vapid: Vapid
    ) -> tuple[PushAnswer, str]:
        # Names are checked by the session's resolver as it connects; literals here.
        refused = self._endpoints.problem(subscription.endpoint) or literal_problem(
            subscription.endpoint, allow_private=self._guard.allow_private
        )
        if refused is not None:
            # Stored before the rules were what they are, or its name now points inward (the
            # send's one log line says so, without the endpoint: its path is a secret).
            return PushAnswer.REFUSED, f"push endpoint refused: {refused}"
        info = {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        }
        try:
            await webpush_async(
                subscription_info=info,
                data=data,
                ttl=self._ttl,
                headers={
                    **self.vapid_headers(vapid, subscription.endpoint),
                    "Urgency": delivery.urgency.push_header,
                },
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                aiohttp_session=cast(aiohttp.ClientSession, _NoRedirects(self._http())),
            )
        except WebPushException as exc:
            status = exc.status_code
            if status in GONE:
                await self._devices.forget_endpoint(subscription.endpoint)
                return PushAnswer.GONE, f"subscription gone ({status}), removed"
            if status is not None and (status == 429 or status >= 500):
                return PushAnswer.RETRY, f"push service answered {status}"
            return PushAnswer.REFUSED, f"push service refused the message ({status})"
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            return _unreachable(subscription, exc)
        return PushAnswer.DELIVERED, ""


def _unreachable(subscription: PushSubscription, exc: Exception) -> tuple[PushAnswer, str]:
    """A connection that failed is retried, unless the resolver refused where the name points."""
    inward = getattr(exc, "os_error", None)
    if isinstance(inward, NonPublicAddress):
        return PushAnswer.REFUSED, f"push endpoint refused: {inward}"
    return PushAnswer.RETRY, f"push service unreachable: {exc!r}"


class _NoRedirects:
    """What pywebpush posts through: the session, with redirects answered rather than
    followed (a push service does not redirect; a redirect could lead anywhere)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def post(self, url: str, **kwargs: Any) -> aiohttp.ClientResponse:
        return await self._session.post(url, allow_redirects=False, **kwargs)
