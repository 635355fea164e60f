"""``python -m notifications``: serve the app with uvicorn."""

import uvicorn

from cerchia_chassis.http import uvicorn_options
from notifications.app import create_app
from notifications.settings import NotificationsSettings

settings = NotificationsSettings()
uvicorn.run(create_app(settings), **uvicorn_options(settings))
