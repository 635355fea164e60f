"""The web client's ASGI app."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.middleware.gzip import GZipMiddleware

from cerchia_chassis.health import Check
from cerchia_chassis.http import service_app
from cerchia_chassis.telemetry import flush_tracing
from web.container import Container, build_pages, load_assets
from web.entrypoints import security, visits
from web.entrypoints.account import router as account_router
from web.entrypoints.communities import router as communities_router
from web.entrypoints.discussions import router as discussions_router
from web.entrypoints.gatherings import router as gatherings_router
from web.entrypoints.home import router as home_router
from web.entrypoints.integrations import router as integrations_router
from web.entrypoints.library import router as library_router
from web.entrypoints.messages import router as messages_router
from web.entrypoints.moderation import router as moderation_router
from web.entrypoints.notifications import router as notifications_router
from web.entrypoints.people import router as people_router
from web.entrypoints.settings import router as settings_router
from web.entrypoints.static import router as static_router
from web.settings import WebSettings


def _checks(request: Request) -> dict[str, Check]:
    container: Container | None = getattr(request.app.state, "container", None)
    if container is None:
        return {}
    return {"mongo": container.sessions.ping}


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """Build the app; the container is built in the lifespan and closed after it.

    Assets and templates load here, before anything is served: a checkout without
    ``npm ci`` fails at start with the command to run, not on the first page.
    """
    settings = settings or WebSettings()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    assets = load_assets(settings)
    pages = build_pages(assets)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = await Container.build(settings, assets, pages)
        app.state.container = container
        try:
            yield
        finally:
            await container.aclose()
            flush_tracing()

    app = service_app(
        settings,
        title="Cerchia web",
        version="0.1.0",
        description="The members' web client.",
        lifespan=lifespan,
        readiness=_checks,
        docs=False,
    )
    app.state.assets = assets
    app.include_router(static_router)
    app.include_router(home_router)
    app.include_router(account_router)
    app.include_router(notifications_router)
    app.include_router(messages_router)
    app.include_router(people_router)
    app.include_router(communities_router)
    app.include_router(discussions_router)
    app.include_router(gatherings_router)
    app.include_router(library_router)
    app.include_router(moderation_router)
    app.include_router(settings_router)
    app.include_router(integrations_router)
    visits.install(app)
    security.install(app)  # every answer gets the headers
    # Pages and assets compressed (a thread's page shrinks from 120 KB to 6 KB); the event
    # stream is left as it is. Pages carry their CSRF token masked afresh each time (BREACH).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    return app
