"""``python -m membership``: serve the app with uvicorn."""

import uvicorn

from cerchia_chassis.http import uvicorn_options
from membership.app import create_app
from membership.settings import MembershipSettings

settings = MembershipSettings()
uvicorn.run(create_app(settings), **uvicorn_options(settings))
