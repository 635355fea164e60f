"""Gateway settings, read once from ``GATEWAY_*`` environment variables."""

import json
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from cerchia_chassis.settings import ServiceSettings
from gateway.domain.routes import Upstream


class GatewaySettings(ServiceSettings):
    """Settings of the gateway: where the services are, and how it protects them."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name: str = "gateway"
    http_port: int = 8000

    membership_url: str = "http://127.0.0.1:8001"
    content_url: str = "http://127.0.0.1:8002"
    events_url: str = "http://127.0.0.1:8003"
    notifications_url: str = "http://127.0.0.1:8004"

    upstream_connect_timeout_s: float = 2.0
    upstream_read_timeout_s: float = Field(
        default=15.0, description="Longest wait for the next bytes of an upstream response."
    )
    upstream_write_timeout_s: float = 15.0
    upstream_pool_timeout_s: float = Field(
        default=2.0, description="Longest wait for a free pooled connection."
    )
    upstream_max_connections: int = Field(default=200, description="Per upstream.")
    upstream_max_keepalive: int = Field(
        default=50, description="Idle connections kept per upstream."
    )
    upstream_retries: int = Field(
        default=2, description="Extra attempts after a transport failure (idempotent requests)."
    )
    upstream_retry_backoff_s: float = 0.05
    stream_read_timeout_s: float = Field(
        default=90.0,
        description="Longest silence on a streamed response (SSE); upstreams send keep-alives.",
    )
    ready_upstreams: tuple[Upstream, ...] = Field(
        default=tuple(Upstream),
        description="Upstreams whose readiness the gateway's readiness includes.",
    )

    max_body_bytes: int = Field(default=1_048_576, description="Largest request body (413 above).")
    rate_limit_per_ip: str = Field(
        default="600/minute", description="Requests per client address (`limits` notation)."
    )
    rate_limit_per_user: str = Field(
        default="300/minute", description="Requests per authenticated user."
    )
    rate_limit_sensitive_per_ip: str = Field(
        default="120/minute",
        description=(
            "Sign-up, sign-in and password-reset requests per client address: generous, since "
            "many people may share one address (a NAT); password guesses are limited per account "
            "by membership. Refresh, logout and email verification are not counted here."
        ),
    )

    cors_allow_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Origins of browser apps allowed to call the API from another origin: a comma-"
            "separated list (or a JSON array) of exact origins, scheme and port included, "
            "e.g. `https://app.example.org,http://127.0.0.1:8080`. Empty (the default): none."
        ),
    )
    cors_allow_credentials: bool = False
    cors_max_age_s: int = 600

    me_part_timeout_s: float = Field(
        default=3.0, description="Budget of each upstream call behind GET /api/v1/me."
    )
    thread_view_timeout_s: float = Field(
        default=10.0,
        description="Budget of each upstream call behind a thread's view (longer than a "
        "service's read-your-writes wait, so that its 503 comes through).",
    )
    me_profile_path: str = "/api/v1/profiles/me"
    me_communities_path: str = "/api/v1/me/communities"
    me_unread_path: str = "/api/v1/notifications/unread-count"
    me_events_path: str = "/api/v1/me/events?limit=5"
    notifications_stream_path: str = "/api/v1/notifications/stream"

    docs_cache_ttl_s: float = Field(
        default=60.0, description="How long the merged OpenAPI document is reused."
    )
    docs_fetch_timeout_s: float = 3.0
    asyncapi_kafka_host: str | None = Field(
        default=None, description="Kafka address integrators use; defaults to the bootstrap."
    )

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip().rstrip("/") for origin in text.split(",") if origin.strip()]
        return value

    def upstream_url(self, upstream: Upstream) -> str:
        """Base URL of one upstream."""
        urls = {
            Upstream.MEMBERSHIP: self.membership_url,
            Upstream.CONTENT: self.content_url,
            Upstream.EVENTS: self.events_url,
            Upstream.NOTIFICATIONS: self.notifications_url,
        }
        return urls[upstream].rstrip("/")

    @property
    def jwks_url(self) -> str:
        """Membership's JWKS unless another URL is configured."""
        return (
            self.auth_jwks_url or f"{self.upstream_url(Upstream.MEMBERSHIP)}/.well-known/jwks.json"
        )
