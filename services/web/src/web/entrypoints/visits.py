"""Every page request carries the browser's session: opened before, saved and cookied after."""

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from web.domain.locales import negotiate
from web.service.visits import Visit

# The scraper is no visitor: no session, no call to the gateway.
_PASS_THROUGH = ("/static/", "/health/", "/sw.js", "/metrics", "/manifest.webmanifest", "/offline")


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
        counts = container.unread
        key = visit.session.key
        if request.method not in ("GET", "HEAD"):
            counts.forget(key)  # marking read, among others
        elif visit.signed_in and "hx-request" not in request.headers:
            request.state.unread = counts.get(key)
            if request.state.unread is None:
                unread = await visit.api("GET", "/api/v1/notifications/unread-count")
                count = unread.body.get("unread") if isinstance(unread.body, dict) else None
                if unread.ok and isinstance(count, int):
                    counts.keep(key, count)
                    request.state.unread = count
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
