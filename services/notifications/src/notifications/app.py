"""The notifications ASGI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cerchia_chassis.http import service_app
from notifications.container import Container
from notifications.entrypoints.consumers import register_consumers
from notifications.settings import NotificationsSettings


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    """Build the app; the container is built, subscribed and started in the lifespan."""
    settings = settings or NotificationsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = Container.build(settings)
        register_consumers(container)
        async with container.chassis.running() as chassis:
            app.state.container = container
            app.state.chassis = chassis
            yield

    return service_app(
        settings,
        title="Cerchia notifications",
        version="0.1.0",
        description="In-app, email and web push notifications.",
        lifespan=lifespan,
    )
