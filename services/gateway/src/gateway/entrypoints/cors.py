"""CORS for browser apps served from other origins: an allow-list, answered at the edge."""

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from cerchia_chassis.consistency import HEADER as CONSISTENCY_HEADER
from cerchia_chassis.problems import problem_response
from gateway.domain.headers import REQUEST_ID_HEADER

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
#: What a browser app may send: the token, JSON bodies, the consistency token it echoes, a
#: request id of its own, and the last event seen when an event stream resumes.
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    CONSISTENCY_HEADER,
    REQUEST_ID_HEADER,
    "Last-Event-ID",
)
#: What its scripts may read beyond the CORS-safelisted response headers.
EXPOSED_HEADERS = (
    CONSISTENCY_HEADER,
    REQUEST_ID_HEADER,
    "X-Trace-Id",
    "Retry-After",
    "Location",
    "WWW-Authenticate",
)


class Cors:
    """Starlette's CORS handling for the allowed origins only. A request from another origin
    gets no CORS header at all (the browser then keeps its answer from the page), and its
    preflight is refused with 403 before it reaches the routes."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        origins: Sequence[str],
        credentials: bool = False,
        max_age_s: int = 600,
    ) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self.allowed = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_credentials=credentials,
            allow_methods=METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=max_age_s,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is not None and origin in self.origins:
            await self.allowed(scope, receive, send)
            return
        if (
            origin is not None
            and scope["method"] == "OPTIONS"
            and "access-control-request-method" in headers
        ):
            response = problem_response(
                Request(scope),
                403,
                code="cors-origin-not-allowed",
                detail="This origin is not on the gateway's CORS allow-list.",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
