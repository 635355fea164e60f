"""Reading traces back from a Zipkin-compatible server (Zipkin v2 API)."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

Span = dict[str, Any]


def trace_id_hex(trace_id: str | int) -> str:
    """Zipkin's 32-hex-digit form of a trace id (OpenTelemetry hands out ints)."""
    if isinstance(trace_id, int):
        return f"{trace_id:032x}"
    return trace_id.lower()


def _has_spans(spans: list[Span]) -> bool:
    return bool(spans)


class TraceBackend:
    """A Zipkin server: where exporters send spans and where tests read traces."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url.rstrip("/")

    @property
    def spans_endpoint(self) -> str:
        """``OTEL_EXPORTER_ZIPKIN_ENDPOINT`` for services under test."""
        return f"{self.api_url}/api/v2/spans"

    async def trace(self, trace_id: str | int) -> list[Span]:
        """The spans of one trace (empty while Zipkin has none)."""
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.get(f"{self.api_url}/api/v2/trace/{trace_id_hex(trace_id)}")
        if response.status_code == 404:
            return []
        response.raise_for_status()
        spans: list[Span] = response.json()
        return spans

    async def wait_for_trace(
        self,
        trace_id: str | int,
        predicate: Callable[[list[Span]], bool] = _has_spans,
        timeout: float = 15.0,  # noqa: ASYNC109
    ) -> list[Span]:
        """Poll the trace until ``predicate(spans)`` holds (exporters batch, so spans lag)."""
        deadline = time.monotonic() + timeout
        while True:
            spans = await self.trace(trace_id)
            if predicate(spans):
                return spans
            if time.monotonic() >= deadline:
                names = sorted(
                    f"{span.get('localEndpoint', {}).get('serviceName')}:{span.get('name')}"
                    for span in spans
                )
                raise TimeoutError(
                    f"trace {trace_id_hex(trace_id)} did not match after {timeout:.0f}s; "
                    f"spans so far: {names}"
                )
            await asyncio.sleep(0.25)

    async def services(self) -> list[str]:
        """Names of the services that reported spans."""
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.get(f"{self.api_url}/api/v2/services")
        response.raise_for_status()
        names: list[str] = response.json()
        return names
