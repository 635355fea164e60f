"""``python -m web``: serve the app with uvicorn."""

import uvicorn

from cerchia_chassis.http import uvicorn_options
from web.app import create_app
from web.settings import WebSettings

settings = WebSettings()
uvicorn.run(create_app(settings), **uvicorn_options(settings))
