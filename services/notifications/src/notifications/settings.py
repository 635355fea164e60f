"""Notifications settings, read once from ``NOTIFICATIONS_*`` environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from cerchia_chassis.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    """Settings of the notifications service."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: str = "notifications"
    http_port: int = 8004

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = 10.0
    mail_from: str = Field(default="Cerchia <noreply@cerchia.local>", description="From header.")
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Where links in messages point."
    )

    dispatch_poll_interval_s: float = 2.0
    dispatch_batch_size: int = 100
    dispatch_max_attempts: int = 8
