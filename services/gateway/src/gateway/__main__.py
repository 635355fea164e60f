"""``python -m gateway``: serve the app with uvicorn."""

import uvicorn

from cerchia_chassis.http import uvicorn_options
from gateway.app import create_app
from gateway.settings import GatewaySettings

settings = GatewaySettings()
uvicorn.run(create_app(settings), **uvicorn_options(settings))
