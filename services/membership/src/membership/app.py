"""The membership ASGI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cerchia_chassis.auth import KeySet, TokenVerifier
from cerchia_chassis.http import service_app
from membership.adapters.signing import load_signing_key
from membership.container import Container
from membership.entrypoints.accounts import router as accounts_router
from membership.entrypoints.admission import router as admission_router
from membership.entrypoints.applications import router as applications_router
from membership.entrypoints.auth import router as auth_router
from membership.entrypoints.communities import router as communities_router
from membership.entrypoints.directory import router as directory_router
from membership.entrypoints.introductions import router as introductions_router
from membership.entrypoints.keys import router as keys_router
from membership.entrypoints.moderation import router as moderation_router
from membership.entrypoints.privacy import router as privacy_router
from membership.entrypoints.profiles import router as profiles_router
from membership.entrypoints.refusals import install_refusal_handler
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
        container = Container.build(settings, signing_key=signing_key)
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
    app.include_router(accounts_router)
    app.include_router(auth_router)
    app.include_router(profiles_router)
    app.include_router(privacy_router)
    app.include_router(keys_router)
    install_refusal_handler(app)
    app.include_router(communities_router)
    app.include_router(admission_router)
    app.include_router(applications_router)
    app.include_router(moderation_router)
    app.include_router(directory_router)
    app.include_router(introductions_router)
    return app
