"""The membership ASGI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cerchia_chassis.auth import KeySet, TokenVerifier
from cerchia_chassis.http import service_app
from membership.adapters.signing import load_signing_key
from membership.container import Container
from membership.entrypoints.http import router
from membership.entrypoints.keys import router as keys_router
from membership.settings import MembershipSettings


def create_app(settings: MembershipSettings | None = None) -> FastAPI:
    """Build the app; the container is built and started in the lifespan."""
    settings = settings or MembershipSettings()
    signing_key = load_signing_key(settings)
    verifier = TokenVerifier(
        KeySet(static=signing_key.jwks()),
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = Container.build(settings)
        async with container.chassis.running() as chassis:
            app.state.container = container
            app.state.chassis = chassis
            yield

    app = service_app(
        settings,
        title="Cerchia membership",
        version="0.1.0",
        description="Accounts, profiles, communities, admission and roles.",
        lifespan=lifespan,
        token_verifier=verifier,
    )
    app.state.signing_key = signing_key
    app.include_router(router)
    app.include_router(keys_router)
    return app
