"""Membership settings, read once from ``MEMBERSHIP_*`` environment variables."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cerchia_chassis.settings import ServiceSettings


class MembershipSettings(ServiceSettings):
    """Settings of the membership service."""

    model_config = SettingsConfigDict(env_prefix="MEMBERSHIP_", extra="ignore", frozen=True)

    service_name: str = "membership"
    http_port: int = 8001

    signing_key_file: Path | None = Field(
        default=None,
        description=(
            "Ed25519 private key (PKCS#8 PEM) that signs access tokens; created when missing. "
            "Without it each process generates its own key, which only suits one-process setups."
        ),
    )
