"""Settings every Cerchia service shares; each service subclasses with its own env prefix."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Transactions one process keeps open at once unless configured (docs/benchmarks.md).
DEFAULT_MAX_TRANSACTIONS = 8


class ServiceSettings(BaseSettings):
    """Identity, HTTP, Kafka, MongoDB and delivery settings of one service.

    A service subclasses this with ``env_prefix="<NAME>_"``; OpenTelemetry is configured from the
    standard ``OTEL_*`` variables, not from here.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = Field(description="Service identity: CloudEvents source, consumer group.")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_client_id: str | None = None
    kafka_linger_ms: int = 5
    kafka_group_id: str | None = Field(
        default=None,
        description="Consumer group of the service's subscribers; defaults to the service name. "
        "Two deployments sharing one Kafka (e.g. test platforms) need distinct groups.",
    )
    kafka_consumer_max_workers: int = Field(
        default=1, description="Concurrent handlers per subscriber (ordering is per partition)."
    )

    mongo_uri: str = "mongodb://127.0.0.1:27017/"
    mongo_database: str | None = Field(default=None, description="Defaults to the service name.")
    mongo_max_pool_size: int = 50
    mongo_max_transactions: int = Field(
        default=DEFAULT_MAX_TRANSACTIONS,
        ge=1,
        description="Transactions this process keeps open at once; further units of work wait "
        "their turn. Bounds write contention so a burst cannot tip the database into retrying "
        "aborted transactions instead of committing them.",
    )
    mongo_timeout_ms: int = Field(
        default=5000,
        description="Server selection and connect timeout: a request fails fast (503) when "
        "the database is unreachable instead of hanging.",
    )

    outbox_relay_enabled: bool = Field(
        default=True, description="Run the outbox relay in this process."
    )
    outbox_poll_interval_s: float = 1.0
    outbox_batch_size: int = 200

    consumer_max_attempts: int = Field(
        default=4, description="Handler attempts before a message goes to the dead-letter topic."
    )
    consumer_backoff_initial_s: float = 0.1
    consumer_backoff_max_s: float = 2.0

    auth_issuer: str = Field(
        default="cerchia-membership", description="Expected `iss` of access tokens."
    )
    auth_audience: str = Field(default="cerchia", description="Expected `aud` of access tokens.")
    auth_jwks_url: str | None = Field(
        default=None,
        description="Membership's JWKS, e.g. http://membership:8001/.well-known/jwks.json",
    )
    auth_jwks: str | None = Field(
        default=None, description="A static JWKS document (JSON) instead of the URL."
    )

    @property
    def database_name(self) -> str:
        """The service's own MongoDB database."""
        return self.mongo_database or self.service_name
