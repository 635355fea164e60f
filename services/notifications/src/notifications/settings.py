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
    unsubscribe_secret: SecretStr = Field(
        default=SecretStr("development-only-unsubscribe-secret"),
        description="Signs one-click unsubscribe links; set a long random value in production.",
    )

    vapid_private_key: SecretStr | None = Field(
        default=None,
        description="VAPID private key, base64url (raw 32 bytes or DER); generated when unset.",
    )
    vapid_subject: str = Field(
        default="mailto:ops@cerchia.local",
        description="VAPID `sub` claim: a contact for push services.",
    )
    push_ttl_s: int = Field(default=86_400, description="How long push services keep a message.")
    push_timeout_s: float = 10.0

    webhook_allow_private_networks: bool = Field(
        default=False, description="Allow webhooks to loopback/private addresses (tests, dev)."
    )
    webhook_timeout_s: float = 10.0
    webhook_disable_after: int = Field(
        default=50, description="Consecutive failed attempts after which an endpoint is disabled."
    )

    fanout_budget_per_hour: int = Field(
        default=2_000,
        description="Email + push sends one community may trigger per hour; beyond, digest.",
    )

    dispatch_poll_interval_s: float = 2.0
    dispatch_batch_size: int = 100
    dispatch_max_attempts: int = 8
    digest_poll_interval_s: float = 30.0
    digest_batch_size: int = 50
    stream_ping_s: float = 15.0
