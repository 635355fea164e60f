"""Settings every Cerchia service shares; each service subclasses with its own env prefix."""

import ipaddress
import os
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from cerchia_chassis.kafka_access import KafkaAccess, SaslMechanism, SecurityProtocol, env_or_file

#: Transactions one process keeps open at once unless configured (docs/benchmarks.md).
DEFAULT_MAX_TRANSACTIONS = 8


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """Comma-separated addresses and CIDR networks (``10.0.0.0/8, 192.0.2.7``); empty: none.

    Strict, unlike uvicorn (which takes anything it cannot parse for a literal host name and so
    silently trusts nothing or the wrong thing): a typo, a network with host bits set or ``*``
    is an error naming the entry.
    """
    networks: list[Network] = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        if entry == "*":
            raise ValueError(
                "'*' would trust X-Forwarded-For from anyone: name the proxies' addresses or "
                "networks (CIDR)"
            )
        try:
            networks.append(ipaddress.ip_network(entry, strict=True))
        except ValueError as error:
            raise ValueError(f"{entry!r} is not an IP address or CIDR network: {error}") from None
    return tuple(networks)


class FileVariablesSource(PydanticBaseSettingsSource):
    """``<PREFIX><FIELD>_FILE`` names a file holding the field's value (a mounted secret).

    The convention of Docker and Kubernetes secrets: any setting can come from a file instead of
    the environment, so passwords and keys never sit in a process's environment. Setting both the
    variable and its ``_FILE`` twin is an error. A field whose own name ends in ``_file`` (a path
    setting) keeps its meaning.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Not used: ``__call__`` reads every field at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        prefix = str(self.config.get("env_prefix", "")).upper()
        environ = {key.upper(): value for key, value in os.environ.items()}
        fields = self.settings_cls.model_fields
        values: dict[str, Any] = {}
        for name in fields:
            if f"{name}_file" in fields:
                continue
            value = env_or_file(environ, f"{prefix}{name.upper()}")
            if value is not None and f"{prefix}{name.upper()}_FILE" in environ:
                values[name] = value
        return values


class ServiceSettings(BaseSettings):
    """Identity, HTTP, Kafka, MongoDB and delivery settings of one service.

    A service subclasses this with ``env_prefix="<NAME>_"``; OpenTelemetry is configured from the
    standard ``OTEL_*`` variables, not from here. Every setting may also be read from a file
    named by ``<NAME>_<SETTING>_FILE`` (``FileVariablesSource``).
    """

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then ``*_FILE`` variables, then the defaults."""
        files = FileVariablesSource(settings_cls)
        return init_settings, env_settings, files, dotenv_settings, file_secret_settings

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = Field(description="Service identity: CloudEvents source, consumer group.")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True
    forwarded_allow_ips: Annotated[tuple[Network, ...], NoDecode] = Field(
        default=(),
        description="Proxies whose X-Forwarded-For / X-Forwarded-Proto are trusted, as "
        "comma-separated addresses or CIDR networks (the ingress controller's and the web "
        "client's addresses in front of the gateway; the gateway's in front of a service). "
        "Empty (the default): no proxy is trusted, the peer's own address is the client's.",
    )

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _parse_forwarded_allow_ips(cls, value: object) -> object:
        return parse_networks(value) if isinstance(value, str) else value

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
    kafka_security_protocol: SecurityProtocol = Field(
        default="SASL_SSL",
        description="SASL_SSL (SCRAM over TLS) everywhere Cerchia runs; SSL for mutual TLS.",
    )
    kafka_sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = Field(
        default=None,
        description="The service's Kafka principal; defaults to the service name, which is "
        "the principal the ACLs derived from the topic catalog name.",
    )
    kafka_sasl_password: SecretStr | None = Field(
        default=None, description="The principal's SCRAM password (best from a _FILE)."
    )
    kafka_reconnect_initial_s: float = Field(
        default=1.0,
        gt=0,
        description="First wait before retrying a Kafka that could not be reached at startup "
        "(the service serves meanwhile; writes wait in the outbox); doubles each time.",
    )
    kafka_reconnect_max_s: float = Field(default=30.0, gt=0, description="Longest such wait.")
    kafka_ca_file: str | None = Field(
        default=None,
        description="PEM bundle of the CA that signs the brokers' certificates; unset: the "
        "system's trust store.",
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
        gt=0,
        description="Server selection and connect timeout (serverSelectionTimeoutMS, "
        "connectTimeoutMS): a request fails fast (503) when the database is unreachable "
        "instead of hanging.",
    )
    mongo_socket_timeout_ms: int = Field(
        default=20000,
        gt=0,
        description="socketTimeoutMS: the longest wait for a reply on an open connection, so a "
        "server that stopped answering (a network partition) cannot hold a request forever. "
        "Superseded by the operation timeout when that is set.",
    )
    mongo_operation_timeout_ms: int = Field(
        default=30000,
        ge=0,
        description="timeoutMS, PyMongo's client-side operation timeout: every operation (server "
        "selection, connection checkout, the server's own work through maxTimeMS, a whole "
        "transaction with its retries, a cursor's lifetime) ends within it. 0: no overall "
        "limit, only the socket timeout.",
    )

    personal_data_keys: SecretStr | None = Field(
        default=None,
        description="The key-encryption keys that wrap the per-person keys sealing personal "
        "data on Kafka (cerchia_chassis.personal_data): base64url 256-bit keys, comma-separated, "
        "the current one first, the same on every service (best from a _FILE). Required by the "
        "services that publish or read personal data.",
    )

    outbox_relay_enabled: bool = Field(
        default=True, description="Run the outbox relay in this process."
    )
    outbox_poll_interval_s: float = 1.0
    outbox_batch_size: int = 200

    metrics_sample_interval_s: float = Field(
        default=10.0,
        description="How often consumer lag, outbox backlog and dead-letter depth are sampled "
        "for /metrics (0: never).",
    )

    consumer_max_attempts: int = Field(
        default=4, description="Handler attempts before a message goes to the dead-letter topic."
    )
    consumer_backoff_initial_s: float = 0.1
    consumer_backoff_max_s: float = 2.0

    consistency_wait_s: float = Field(
        default=3.0,
        ge=0,
        description="Longest wait for this service's projections to reach a client's "
        "consistency token (read-your-writes) before a 503 not-yet-consistent.",
    )

    auth_issuer: str = Field(
        default="cerchia-membership", description="Expected `iss` of access tokens."
    )
    auth_audience: str = Field(default="cerchia", description="Expected `aud` of access tokens.")
    auth_jwks_url: str | None = Field(
        default=None,
        description="Membership's JWKS, e.g. http://membership:8001/.well-known/jwks.json",
    )
    auth_revocations: bool = Field(
        default=True,
        description="Refuse tokens of ended sessions: read membership.sessions.v1 (needs the "
        "service's Kafka principal to be among the topic's consumers).",
    )
    auth_jwks: str | None = Field(
        default=None, description="A static JWKS document (JSON) instead of the URL."
    )

    @property
    def kafka_access(self) -> KafkaAccess:
        """How this service connects to Kafka, as its own principal."""
        password = self.kafka_sasl_password
        return KafkaAccess(
            bootstrap=self.kafka_bootstrap_servers,
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username or self.service_name,
            password=password.get_secret_value() if password is not None else None,
            ca_file=self.kafka_ca_file,
        )

    @property
    def database_name(self) -> str:
        """The service's own MongoDB database."""
        return self.mongo_database or self.service_name
