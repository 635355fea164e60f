"""The content ASGI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cerchia_chassis.http import service_app
from content.container import Container
from content.entrypoints import (
    courses,
    messages,
    moderation,
    replies,
    resources,
    search,
    thread_moderation,
    threads,
)
from content.entrypoints.consumers import register_consumers
from content.entrypoints.dependencies import install_error_mapping
from content.settings import ContentSettings


def create_app(settings: ContentSettings | None = None) -> FastAPI:
    """Build the app; the container is built, subscribed and started in the lifespan."""
    settings = settings or ContentSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = Container.build(settings)
        register_consumers(container)
        async with container.chassis.running() as chassis:
            app.state.container = container
            app.state.chassis = chassis
            yield

    app = service_app(
        settings,
        title="Cerchia content",
        version="0.1.0",
        description=(
            "Discussions, the resource library, courses, moderation, direct messages and search."
        ),
        lifespan=lifespan,
    )
    install_error_mapping(app)
    for module in (
        threads,
        replies,
        thread_moderation,
        resources,
        courses,
        moderation,
        messages,
        search,
    ):
        app.include_router(module.router)
    return app
