"""The gateway's public API, called as any client app calls it."""

from typing import Any

import httpx

from cerchia_chassis.consistency import HEADER as CONSISTENCY
from web.domain.api import ApiResponse, JsonBody


class GatewayClient:
    """One pooled HTTP client for every browser session."""

    def __init__(self, base_url: str, *, timeout_s: float) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout_s,
            headers={"Accept": "application/json"},
        )

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        consistency: str | None = None,
        json: JsonBody = None,
        params: dict[str, Any] | None = None,
        client_ip: str | None = None,
    ) -> ApiResponse:
        """One request; transport failures become a 503 answer the pages explain."""
        headers: dict[str, str] = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if consistency:
            headers[CONSISTENCY] = consistency
        if client_ip:
            headers["X-Forwarded-For"] = client_ip
        try:
            response = await self._http.request(
                method, path, json=json, params=_clean(params), headers=headers
            )
        except httpx.HTTPError:
            return ApiResponse(503, {"title": "unavailable", "code": "gateway-unreachable"})
        content = b""
        try:
            body = response.json() if response.content else None
        except ValueError:
            body, content = None, response.content
        return ApiResponse(
            response.status_code,
            body,
            response.headers.get(CONSISTENCY),
            {k.lower(): v for k, v in response.headers.items()},
            content,
        )

    def stream(
        self, path: str, *, token: str, last_event_id: str | None = None
    ) -> Any:  # an async context manager yielding the streamed response
        """A streamed GET (server-sent events), kept open as long as the reader reads."""
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        return self._http.stream(
            "GET", path, headers=headers, timeout=httpx.Timeout(10.0, read=None)
        )

    async def ping(self) -> bool:
        """Whether the gateway answers its liveness probe."""
        response = await self._http.get("/health/live")
        return response.status_code == 200

    async def aclose(self) -> None:
        """Close the pool."""
        await self._http.aclose()


def _clean(params: dict[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {key: value for key, value in params.items() if value not in (None, "")}
