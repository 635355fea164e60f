"""The notifications ASGI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cerchia_chassis.http import service_app
from notifications.container import Container
from notifications.entrypoints.consumers import register_consumers
from notifications.entrypoints.http import (
    deliveries,
    feed,
    preferences,
    push,
    unsubscribe,
    webhooks,
)
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

    app = service_app(
        settings,
        title="Cerchia notifications",
        version="0.1.0",
        description="In-app feed, email and web push notifications; webhooks for integrators.",
        lifespan=lifespan,
    )
    for module in (deliveries, feed, push, preferences, webhooks, unsubscribe):
        app.include_router(module.router)
    return app
