"""Notifications settings, read once from ``NOTIFICATIONS_*`` environment variables."""

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from cerchia_chassis.settings import ServiceSettings
from notifications.domain.push_endpoints import DEFAULT_PUSH_SERVICE_HOSTS

DEVELOPMENT_UNSUBSCRIBE_SECRET = "development-only-unsubscribe-secret"  # noqa: S105


class NotificationsSettings(ServiceSettings):
    """Settings of the notifications service."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: str = "notifications"
    http_port: int = 8004
    environment: Literal["development", "production"] = Field(
        default="development",
        description="In production, secrets have no development fallback: the service refuses "
        "to start without them.",
    )
    operator_ids: frozenset[str] = Field(
        default=frozenset(),
        description="User ids of the operations team (JSON list): they read every delivery "
        "and replay failed ones.",
    )

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
        default=SecretStr(DEVELOPMENT_UNSUBSCRIBE_SECRET),
        description="Signs one-click unsubscribe links; set a long random value in production.",
    )

    token_opening_keys: SecretStr | None = Field(
        default=None,
        description=(
            "Private X25519 key(s), base64url, that open the tokens membership seals to this "
            "service: the current key first, then any previous one still in use during a "
            "rotation (comma-separated). Its public half is membership's TOKEN_SEALING_KEY. "
            "Required: the service does not start without it."
        ),
    )

    vapid_private_key: SecretStr | None = Field(
        default=None,
        description="VAPID private key, base64url (raw 32 bytes or DER). Required in production; "
        "elsewhere, when unset, one is generated once and kept in the service's database.",
    )
    vapid_subject: str = Field(
        default="mailto:ops@cerchia.local",
        description="VAPID `sub` claim: a contact for push services.",
    )
    push_ttl_s: int = Field(default=86_400, description="How long push services keep a message.")
    push_timeout_s: float = Field(
        default=10.0, gt=0, description="Total time one push service gets to take a message."
    )
    push_service_hosts: tuple[str, ...] = Field(
        default=DEFAULT_PUSH_SERVICE_HOSTS,
        description="Hosts browsers' push subscriptions may point at (JSON list; `*.` matches "
        "any subdomain, `host:port` one port only). Subscriptions elsewhere are refused (422) "
        "and never called.",
    )
    delivery_retention_days: int = Field(
        default=90,
        ge=1,
        le=3_650,
        description="How long a delivery (its address, texts, and a webhook's event) is kept "
        "after it was queued; MongoDB's TTL monitor removes it afterwards. Also how long an "
        "owner may replay what a webhook received. See docs/personal-data.md.",
    )
    push_allow_private_networks: bool = Field(
        default=False,
        description="Tests and local development only: let push endpoints use plain http and "
        "reach loopback/private addresses (a local test push service, also listed in "
        "`push_service_hosts`).",
    )

    webhook_allow_private_networks: bool = Field(
        default=False,
        description="Local development and tests only: let webhooks be registered with plain "
        "http URLs and reach loopback/private addresses (e.g. a receiver on localhost). "
        "`./dev up` turns it on.",
    )
    webhook_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="Total time one webhook call may take, connecting to reading the answer.",
    )
    webhook_max_response_bytes: int = Field(
        default=64 * 1024,
        ge=0,
        description="Most bytes of a webhook's answer read; the rest is not waited for.",
    )
    webhook_concurrency: int = Field(
        default=16,
        ge=1,
        description="Webhook calls at once, in a sender loop of their own (a slow endpoint "
        "never holds up email or push).",
    )
    webhook_disable_after: int = Field(
        default=50, description="Consecutive failed attempts after which an endpoint is disabled."
    )

    smtp_rate: str = Field(
        default="20/second",
        description="Sends per SMTP server and replica (`limits` notation); beyond, they wait.",
    )
    push_rate: str = Field(
        default="50/second", description="Sends per push service host and replica."
    )
    webhook_rate: str = Field(
        default="10/second", description="Calls per webhook host and replica."
    )
    webhook_replay_max: int = Field(
        default=1_000, description="Most deliveries one webhook replay request re-sends."
    )
    park_timeout_s: float = Field(
        default=86_400.0,
        description="How long an email waits for its recipient's address (a user event not "
        "projected yet) before it fails.",
    )

    fanout_budget_per_hour: int = Field(
        default=2_000,
        description="Email + push sends one community may trigger per hour; beyond, digest.",
    )

    dispatch_poll_interval_s: float = 2.0
    dispatch_batch_size: int = 100
    dispatch_max_attempts: int = 8
    dispatch_concurrency: int = Field(
        default=16,
        ge=1,
        description="Deliveries sent at once; a crash resends at most this many (same ids).",
    )
    smtp_connections: int = Field(
        default=8, ge=1, description="SMTP connections kept open for the next message."
    )
    digest_poll_interval_s: float = 30.0
    digest_batch_size: int = 50
    stream_ping_s: float = 15.0

    @model_validator(mode="after")
    def _production_secrets(self) -> Self:
        if self.environment == "production":
            missing = [
                name
                for name, unset in (
                    ("NOTIFICATIONS_VAPID_PRIVATE_KEY", self.vapid_private_key is None),
                    (
                        "NOTIFICATIONS_UNSUBSCRIBE_SECRET",
                        self.unsubscribe_secret.get_secret_value()
                        == DEVELOPMENT_UNSUBSCRIBE_SECRET,
                    ),
                )
                if unset
            ]
            if missing:
                raise ValueError(
                    f"{', '.join(missing)} must be set when NOTIFICATIONS_ENVIRONMENT=production "
                    "(a generated VAPID key or a known unsubscribe secret would break push "
                    "subscriptions or let anyone forge unsubscribe links)"
                )
        return self
