"""Content settings, read once from ``CONTENT_*`` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cerchia_chassis.settings import ServiceSettings


class ContentSettings(ServiceSettings):
    """Settings of the content service."""

    model_config = SettingsConfigDict(env_prefix="CONTENT_", extra="ignore", frozen=True)

    service_name: str = "content"
    http_port: int = 8002

    posting_rate_limit: int = Field(
        default=10, description="Posts (threads, replies, resources, messages) per window."
    )
    posting_rate_window_s: float = Field(
        default=60.0, description="The anti-spam window, in seconds."
    )
