"""The content ASGI app: the chassis's service skeleton with content's container and routes."""

from fastapi import FastAPI

from cerchia_chassis.service_app import create_service_app
from content.container import Container
from content.entrypoints import (
    http_courses,
    http_markup,
    http_messages,
    http_moderation,
    http_replies,
    http_resources,
    http_search,
    http_thread_moderation,
    http_threads,
)
from content.entrypoints.consumers import register_consumers
from content.settings import ContentSettings


def create_app(settings: ContentSettings | None = None) -> FastAPI:
    """Build the app; the container is built, subscribed and started in the lifespan."""
    return create_service_app(
        settings or ContentSettings(),
        title="Cerchia content",
        version="0.1.0",
        description=(
            "Discussions, the resource library, courses, moderation, direct messages and search."
        ),
        build=Container.build,
        subscribe=register_consumers,
        routers=[
            http_threads.router,
            http_replies.router,
            http_thread_moderation.router,
            http_resources.router,
            http_courses.router,
            http_moderation.router,
            http_messages.router,
            http_search.router,
            http_markup.router,
        ],
    )
