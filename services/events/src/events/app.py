"""The events ASGI app."""

from fastapi import FastAPI

from cerchia_chassis.service_app import create_service_app
from events.container import Container
from events.entrypoints.consumers import register_consumers
from events.entrypoints.http_attendance import router as attendance_router
from events.entrypoints.http_calendars import router as calendars_router
from events.entrypoints.http_gatherings import router as gatherings_router
from events.entrypoints.http_mine import router as mine_router
from events.entrypoints.http_series import router as series_router
from events.settings import EventsSettings


def create_app(settings: EventsSettings | None = None) -> FastAPI:
    """The app; its container is built, subscribed and started in the lifespan."""
    return create_service_app(
        settings or EventsSettings(),
        title="Cerchia events",
        version="0.1.0",
        description=(
            "Community events in person and online: scheduling and recurring series, RSVP with "
            "capacity and a FIFO waitlist, reminders, iCalendar feeds, check-in and recaps."
        ),
        build=Container.build,
        subscribe=register_consumers,
        routers=[
            gatherings_router,
            series_router,
            attendance_router,
            calendars_router,
            mine_router,
        ],
    )
