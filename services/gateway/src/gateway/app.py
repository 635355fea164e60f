"""The gateway ASGI app."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Route

from cerchia_chassis.auth import KeySet, TokenVerifier, key_set_from_settings
from cerchia_chassis.http import service_app
from cerchia_chassis.telemetry import flush_tracing
from gateway.container import Container
from gateway.domain.headers import REQUEST_ID_HEADER
from gateway.entrypoints.docs import mount_static
from gateway.entrypoints.docs import router as docs_router
from gateway.entrypoints.edge import EdgeMiddleware
from gateway.entrypoints.me import router as me_router
from gateway.entrypoints.proxy import router as proxy_router
from gateway.settings import GatewaySettings

# FastAPI's own documents and pages (their pages load Swagger UI from a CDN); the gateway
# serves the merged document and offline pages at these paths instead.
_FASTAPI_DOC_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _without_fastapi_docs(routes: list[BaseRoute]) -> list[BaseRoute]:
    return [r for r in routes if not (isinstance(r, Route) and r.path in _FASTAPI_DOC_PATHS)]


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """Build the app; the container is built in the lifespan and closed after it."""
    settings = settings or GatewaySettings()
    # One access line per request says it all; httpx would add a line per upstream call.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    keys = key_set_from_settings(None, settings.auth_jwks) or KeySet(url=settings.jwks_url)
    verifier = TokenVerifier(keys, issuer=settings.auth_issuer, audience=settings.auth_audience)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = Container.build(settings, own_openapi=app.openapi())
        app.state.container = container
        # service_app's /health/ready asks ``app.state.chassis.readiness_checks()``; the
        # gateway has no database or broker, its dependencies are the services.
        app.state.chassis = container.upstreams
        try:
            yield
        finally:
            await container.aclose()
            flush_tracing()

    app = service_app(
        settings,
        title="Cerchia gateway",
        version="0.1.0",
        description="The one entry for client apps: auth, routing, rate limits, realtime stream.",
        lifespan=lifespan,
        token_verifier=verifier,
    )
    app.router.routes[:] = _without_fastapi_docs(app.router.routes)
    app.include_router(me_router)
    app.include_router(docs_router)
    mount_static(app)
    app.include_router(proxy_router)  # last: it catches every other /api/v1 path
    app.add_middleware(EdgeMiddleware)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER, "X-Trace-Id", "Retry-After", "Location"],
            max_age=settings.cors_max_age_s,
        )
    return app
