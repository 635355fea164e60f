"""Pooled HTTP clients to the services: timeouts, bounded retries, failures mapped to kinds."""

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from cerchia_chassis.health import Check
from gateway.domain.routes import Upstream
from gateway.service.ports import FailureKind, JsonReply, UpstreamFailure
from gateway.settings import GatewaySettings

logger = logging.getLogger(__name__)

#: RFC 9110 §9.2.2: repeating these has the effect of sending them once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

# Failures after which an idempotent request may go again: nothing arrived, or the connection
# broke (a stale pooled connection closed by the server looks like this). A read timeout is not
# among them: a slow upstream stays slow, and retrying would only multiply the wait.
_RETRYABLE = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
)


def failure_of(upstream: Upstream, exc: httpx.HTTPError) -> UpstreamFailure:
    """The gateway's view of a transport error."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return UpstreamFailure(upstream, FailureKind.UNAVAILABLE, "the service is unavailable")
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamFailure(upstream, FailureKind.TIMEOUT, "the service did not answer in time")
    return UpstreamFailure(upstream, FailureKind.BAD_GATEWAY, "the service's answer was broken")


class Upstreams:
    """One pooled ``httpx.AsyncClient`` per service (httpx is traced by the chassis telemetry,
    which also propagates the trace context)."""

    def __init__(self, settings: GatewaySettings) -> None:
        self._settings = settings
        timeout = httpx.Timeout(
            connect=settings.upstream_connect_timeout_s,
            read=settings.upstream_read_timeout_s,
            write=settings.upstream_write_timeout_s,
            pool=settings.upstream_pool_timeout_s,
        )
        limits = httpx.Limits(
            max_connections=settings.upstream_max_connections,
            max_keepalive_connections=settings.upstream_max_keepalive,
        )
        self._clients = {
            upstream: httpx.AsyncClient(
                base_url=settings.upstream_url(upstream),
                timeout=timeout,
                limits=limits,
                follow_redirects=False,
                trust_env=False,
            )
            for upstream in Upstream
        }
        self._stream_timeout = httpx.Timeout(
            connect=settings.upstream_connect_timeout_s,
            read=settings.stream_read_timeout_s,
            write=settings.upstream_write_timeout_s,
            pool=settings.upstream_pool_timeout_s,
        )
        self._backoff = wait_exponential_jitter(
            multiplier=settings.upstream_retry_backoff_s,
            max=1.0,
            jitter=settings.upstream_retry_backoff_s,
        )

    async def open(
        self,
        upstream: Upstream,
        method: str,
        target: str,
        *,
        headers: Sequence[tuple[str, str]],
        body: bytes = b"",
        streaming: bool = False,
    ) -> httpx.Response:
        """Send a request and return the response with its body still unread (the caller
        streams it and must close it); raise UpstreamFailure when no response comes.

        ``target`` is the raw path and query string; ``streaming`` allows long silences (SSE).
        """
        client = self._clients[upstream]
        retries = self._settings.upstream_retries if method in IDEMPOTENT_METHODS else 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(1 + retries),
            wait=self._backoff,
            retry=retry_if_exception(lambda exc: isinstance(exc, _RETRYABLE)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    request = client.build_request(
                        method,
                        target,
                        # latin-1 both ways: the client's header bytes reach the service as sent.
                        headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
                        content=body or None,
                        timeout=self._stream_timeout if streaming else httpx.USE_CLIENT_DEFAULT,
                    )
                    return await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            logger.warning(
                "upstream %s failed on %s: %r", upstream, method, exc, extra={"upstream": upstream}
            )
            raise failure_of(upstream, exc) from exc
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    async def get_json(
        self, upstream: Upstream, path: str, *, headers: Mapping[str, str], budget_s: float
    ) -> JsonReply:
        """GET ``path`` within ``budget_s`` seconds and parse the body as JSON if it is JSON."""
        try:
            async with asyncio.timeout(budget_s):
                response = await self.open(
                    upstream,
                    "GET",
                    path,
                    headers=[*headers.items(), ("Accept", "application/json")],
                )
                try:
                    content = await response.aread()
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise UpstreamFailure(
                upstream, FailureKind.TIMEOUT, "the service did not answer in time"
            ) from exc
        except httpx.HTTPError as exc:
            raise failure_of(upstream, exc) from exc
        try:
            body: Any = json.loads(content) if content else None
        except ValueError:
            body = None
        return JsonReply(status=response.status_code, body=body)

    async def openapi(self, upstream: Upstream) -> dict[str, Any] | None:
        """The service's OpenAPI document, or None while it cannot be had."""
        try:
            reply = await self.get_json(
                upstream,
                "/openapi.json",
                headers={},
                budget_s=self._settings.docs_fetch_timeout_s,
            )
        except UpstreamFailure:
            return None
        if reply.status != 200 or not isinstance(reply.body, dict):
            return None
        document: dict[str, Any] = reply.body
        return document

    async def ready(self, upstream: Upstream) -> bool:
        """Whether the service reports itself ready."""
        response = await self._clients[upstream].get("/health/ready", timeout=2.0)
        return response.status_code == 200

    def readiness_checks(self) -> dict[str, Check]:
        """One readiness check per upstream the gateway's readiness includes."""

        def check(upstream: Upstream) -> Check:
            async def ready() -> bool:
                return await self.ready(upstream)

            return ready

        return {str(u): check(u) for u in self._settings.ready_upstreams}

    async def aclose(self) -> None:
        """Close every pooled connection."""
        for client in self._clients.values():
            await client.aclose()
