"""Every page request carries the browser's session: opened before, saved and cookied after."""

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from web.domain.locales import negotiate
from web.service.visits import Visit

# The scraper is no visitor: no session, no call to the gateway.
_PASS_THROUGH = ("/static/", "/health/", "/sw.js", "/metrics")


def install(app: FastAPI) -> None:
    """The session middleware."""

    @app.middleware("http")
    async def visits(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith(_PASS_THROUGH):
            return await call_next(request)
        container = request.app.state.container
        settings = container.settings
        visit = await Visit.open(
            container.gateway,
            container.sessions,
            container.lifetimes,
            request.cookies.get(settings.cookie_name),
            client_ip=request.client.host if request.client else None,
        )
        request.state.visit = visit
        request.state.language = negotiate(
            visit.session.locale, request.headers.get("accept-language")
        )
        if visit.signed_in and request.method == "GET" and "hx-request" not in request.headers:
            unread = await visit.api("GET", "/api/v1/notifications/unread-count")
            if unread.ok and isinstance(unread.body, dict):
                request.state.unread = unread.body.get("unread")
        response = await call_next(request)
        await visit.save()
        if visit.new_cookie:
            lifetime = container.lifetimes.signed_in if visit.signed_in else None
            response.set_cookie(
                settings.cookie_name,
                visit.cookie,
                max_age=int(lifetime.total_seconds()) if lifetime else None,
                path="/",
                secure=settings.cookie_secure,
                httponly=True,
                samesite="lax",
            )
        return response
