"""Security headers on every answer, CSRF on every form, and error pages people can read."""

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.service.visits import Visit

# No inline script or style anywhere: every script and stylesheet is a file of this origin.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class CsrfRefused(Exception):
    """A state-changing request without this session's CSRF token, or from another site."""


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token is this session's (a FastAPI dependency)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfRefused
    form = await request.form()
    presented = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    visit: Visit = request.state.visit
    if not isinstance(presented, str) or not visit.session.csrf_ok(presented):
        raise CsrfRefused
    return form


async def checked_header(request: Request) -> None:
    """A script's request (JSON, not a form) carrying this session's CSRF token in its header."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfRefused
    visit: Visit = request.state.visit
    if not visit.session.csrf_ok(request.headers.get(CSRF_HEADER)):
        raise CsrfRefused


def install(app: FastAPI) -> None:
    """Headers and error pages."""

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if "cache-control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    async def csrf_refused(request: Request, _: Exception) -> Response:
        return _error_page(request, 403, "csrf")

    async def http_error(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, StarletteHTTPException) else 500
        if isinstance(error, StarletteHTTPException) and 300 <= status < 400:
            return Response(status_code=status, headers=error.headers)  # "sign in first"
        return _error_page(request, status, "http")

    async def invalid(request: Request, _: Exception) -> Response:
        return _error_page(request, 400, "invalid")

    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)


def _error_page(request: Request, status: int, kind: str) -> Response:
    if not hasattr(request.state, "visit"):
        return Response(status_code=status)
    pages = request.app.state.container.pages
    response: Response = pages.render(
        request, "error.html", {"status": status, "kind": kind}, status=status
    )
    return response
