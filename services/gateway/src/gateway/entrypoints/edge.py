"""The outermost layer of every request: request id, security headers, one JSON access log."""

import logging
import time
import uuid
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.domain.headers import (
    API_SECURITY_HEADERS,
    DOCS_CONTENT_SECURITY_POLICY,
    REQUEST_ID_HEADER,
    accepted_request_id,
)

access_log = logging.getLogger("gateway.access")

#: Pages that load the gateway's own scripts and styles.
DOCS_PATHS = ("/docs",)
_SCOPE_KEY = "cerchia.gateway"


@dataclass
class RequestRecord:
    """What the access log says about a request, filled in as the request goes."""

    request_id: str
    user_id: str | None = None
    upstream: str | None = None


def record(connection: HTTPConnection) -> RequestRecord:
    """The record of this request (the edge middleware creates it)."""
    found: RequestRecord = connection.scope[_SCOPE_KEY]
    return found


class EdgeMiddleware:
    """Gives each request an id (the client's, if sane), echoes it in ``X-Request-ID``, adds
    security headers a service did not set, and logs one access line when the response ends.

    The query string is never logged: calendar feeds and unsubscribe links carry secrets there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        request_id = request_id or uuid.uuid4().hex
        entry = scope[_SCOPE_KEY] = RequestRecord(request_id)
        path: str = scope["path"]
        docs = path.startswith(DOCS_PATHS)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                for name, value in API_SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if docs:
                    headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            client = scope.get("client")
            access_log.info(
                "%s %s %s",
                scope["method"],
                path,
                status,
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client_ip": client[0] if client else None,
                    "user_id": entry.user_id,
                    "upstream": entry.upstream,
                },
            )
