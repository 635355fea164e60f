"""The gateway ASGI app."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from cerchia_chassis.auth import KeySet, TokenVerifier, key_set_from_settings
from cerchia_chassis.health import Check
from cerchia_chassis.http import service_app
from cerchia_chassis.telemetry import flush_tracing
from gateway.container import Container
from gateway.entrypoints.cors import Cors
from gateway.entrypoints.edge import EdgeMiddleware
from gateway.entrypoints.http_docs import mount_static
from gateway.entrypoints.http_docs import router as docs_router
from gateway.entrypoints.http_me import router as me_router
from gateway.entrypoints.http_proxy import router as proxy_router
from gateway.settings import GatewaySettings


def _upstream_checks(request: Request) -> dict[str, Check]:
    container: Container | None = getattr(request.app.state, "container", None)
    return {} if container is None else container.upstreams.readiness_checks()


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """Build the app; the container is built in the lifespan and closed after it.

    The gateway keeps a lifespan of its own rather than ``create_service_app``'s: it runs no
    chassis (no database, no Kafka, no outbox) for that lifespan to start, its container is
    built from the app's own OpenAPI document, and what it releases is its upstream pools.
    """
    settings = settings or GatewaySettings()
    # One access line per request says it all; httpx would add a line per upstream call.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    keys = key_set_from_settings(None, settings.auth_jwks) or KeySet(url=settings.jwks_url)
    verifier = TokenVerifier(keys, issuer=settings.auth_issuer, audience=settings.auth_audience)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = Container.build(settings, own_openapi=app.openapi())
        app.state.container = container
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
        readiness=_upstream_checks,
        docs=False,  # the gateway serves the merged document and offline pages itself
    )
    app.include_router(me_router)
    app.include_router(docs_router)
    mount_static(app)
    app.include_router(proxy_router)  # last: it catches every other /api/v1 path
    app.add_middleware(
        Cors,
        origins=settings.cors_allow_origins,
        credentials=settings.cors_allow_credentials,
        max_age_s=settings.cors_max_age_s,
    )
    app.add_middleware(EdgeMiddleware)  # outermost: CORS answers get a request id and a log line
    return app
