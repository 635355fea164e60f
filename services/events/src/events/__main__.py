"""``python -m events``: serve the app with uvicorn."""

import uvicorn

from cerchia_chassis.http import uvicorn_options
from events.app import create_app
from events.settings import EventsSettings

settings = EventsSettings()
uvicorn.run(create_app(settings), **uvicorn_options(settings))
