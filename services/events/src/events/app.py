"""The events ASGI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cerchia_chassis.http import service_app
from events.container import Container
from events.entrypoints.consumers import register_consumers
from events.entrypoints.deps import install_domain_errors
from events.entrypoints.http_attendance import router as attendance_router
from events.entrypoints.http_calendars import router as calendars_router
from events.entrypoints.http_gatherings import router as gatherings_router
from events.entrypoints.http_mine import router as mine_router
from events.entrypoints.http_series import router as series_router
from events.settings import EventsSettings


def create_app(settings: EventsSettings | None = None) -> FastAPI:
    """Build the app; the container is built, subscribed and started in the lifespan."""
    settings = settings or EventsSettings()

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
        title="Cerchia events",
        version="0.1.0",
        description=(
            "Community events in person and online: scheduling and recurring series, RSVP with "
            "capacity and a FIFO waitlist, reminders, iCalendar feeds, check-in and recaps."
        ),
        lifespan=lifespan,
    )
    install_domain_errors(app)
    app.include_router(gatherings_router)
    app.include_router(series_router)
    app.include_router(attendance_router)
    app.include_router(calendars_router)
    app.include_router(mine_router)
    return app
