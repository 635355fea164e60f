"""The notifications ASGI app."""

from fastapi import FastAPI

from cerchia_chassis.service_app import create_service_app
from notifications.container import Container
from notifications.entrypoints import (
    http_deliveries,
    http_feed,
    http_preferences,
    http_push,
    http_unsubscribe,
    http_webhooks,
)
from notifications.entrypoints.consumers import register_consumers
from notifications.entrypoints.webhook_docs import document_webhooks
from notifications.settings import NotificationsSettings


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    """Build the app; the container is built, subscribed and started in the lifespan."""
    app = create_service_app(
        settings or NotificationsSettings(),
        title="Cerchia notifications",
        version="0.1.0",
        description="In-app feed, email and web push notifications; webhooks for integrators.",
        build=Container.build,
        subscribe=register_consumers,
        routers=[
            module.router
            for module in (
                http_deliveries,
                http_feed,
                http_push,
                http_preferences,
                http_webhooks,
                http_unsubscribe,
            )
        ],
    )
    document_webhooks(app)
    return app
