"""Web client settings, read once from ``WEB_*`` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cerchia_chassis.settings import ServiceSettings


class WebSettings(ServiceSettings):
    """Where the gateway is, and how the browser sessions are kept."""

    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore", frozen=True)

    service_name: str = "web"
    http_port: int = 8080

    gateway_url: str = Field(
        default="http://127.0.0.1:8000", description="The gateway's public API: the only upstream."
    )
    gateway_timeout_s: float = Field(default=15.0, description="Longest wait for the gateway.")
    unread_fresh_s: float = Field(
        default=15.0,
        ge=0,
        description="How long the unread badge's count is reused for a session's next pages "
        "(its own forms and the live stream refresh it sooner).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8080", description="Where people reach this client."
    )
    session_ttl_s: int = Field(
        default=30 * 24 * 3600,
        description="How long a signed-in browser session lasts without being used.",
    )
    anonymous_session_ttl_s: int = Field(
        default=2 * 3600, description="How long a visitor's session (its CSRF token) lasts."
    )
    cookie_name: str = "cerchia_session"
    cookie_secure: bool = Field(
        default=True,
        description="The session cookie's Secure flag. Browsers accept Secure cookies from "
        "http://127.0.0.1 and http://localhost, so it stays on in development too.",
    )
    auth_revocations: bool = Field(
        default=False,
        description="The web client verifies no access token itself (the gateway and the "
        "services do), so it follows no revocations.",
    )
    node_modules: str | None = Field(
        default=None,
        description="Where `npm ci` put the browser assets; defaults to the service's folder.",
    )
