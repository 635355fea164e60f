"""The membership ASGI app."""

from functools import partial

from fastapi import FastAPI

from cerchia_chassis.service_app import create_service_app
from membership.container import Container, signing_key, token_verifier
from membership.domain.exports import ExportExpired
from membership.entrypoints import (
    http_accounts,
    http_admin,
    http_admission,
    http_applications,
    http_auth,
    http_communities,
    http_directory,
    http_exports,
    http_introductions,
    http_keys,
    http_moderation,
    http_privacy,
    http_profiles,
)
from membership.entrypoints.consumers import register_consumers
from membership.settings import MembershipSettings

ROUTERS = [
    module.router
    for module in (
        http_accounts,
        http_admin,
        http_auth,
        http_profiles,
        http_privacy,
        http_exports,
        http_keys,
        http_communities,
        http_admission,
        http_applications,
        http_moderation,
        http_directory,
        http_introductions,
    )
]


def create_app(settings: MembershipSettings | None = None) -> FastAPI:
    """Build the app; the container is built and started in the lifespan.

    Membership verifies access tokens with its own signing key, which the container signs
    them with: the key is loaded once, here, for both.
    """
    settings = settings or MembershipSettings()
    key = signing_key(settings)
    return create_service_app(
        settings,
        title="Cerchia membership",
        version="0.1.0",
        description="Accounts, profiles, communities, admission and roles.",
        build=partial(Container.build, signing_key=key),
        routers=ROUTERS,
        subscribe=register_consumers,
        statuses={ExportExpired: 410},
        token_verifier=token_verifier(settings, key),
    )
