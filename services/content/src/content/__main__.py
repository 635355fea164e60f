"""``python -m content``: serve the app with uvicorn."""

import uvicorn

from cerchia_chassis.http import uvicorn_options
from content.app import create_app
from content.settings import ContentSettings

settings = ContentSettings()
uvicorn.run(create_app(settings), **uvicorn_options(settings))
