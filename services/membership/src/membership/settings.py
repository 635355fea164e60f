"""Membership settings, read once from ``MEMBERSHIP_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from cerchia_chassis.settings import ServiceSettings


class MembershipSettings(ServiceSettings):
    """Settings of the membership service."""

    model_config = SettingsConfigDict(env_prefix="MEMBERSHIP_", extra="ignore", frozen=True)

    service_name: str = "membership"
    http_port: int = 8001
