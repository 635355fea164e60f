"""The platform's services as data, and the environment that configures each of them."""

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field

from cerchia_contracts.catalog import PERSON_KEY_TOPICS
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.ports import LOCALHOST

# The entry point that opentelemetry-exporter-zipkin-json registers ("zipkin" belongs to the
# opentelemetry-exporter-zipkin meta-package, which the workspace does not install).
ZIPKIN_EXPORTER = "zipkin_json"


@dataclass(frozen=True)
class ServiceSpec:
    """One service: its name (also its env prefix and database), module and local HTTP port."""

    name: str
    module: str
    port: int
    uses_smtp: bool = False
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def env_prefix(self) -> str:
        """``MEMBERSHIP_`` for ``membership``: the pydantic-settings prefix."""
        return self.name.upper() + "_"


#: Where the local web client runs: the gateway lets its scripts call the API (CORS).
WEB_CLIENT_ORIGIN = f"http://{LOCALHOST}:8080"

# Adding a service is one entry here; they start in this order (the web client last).
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("membership", "membership", 8001),
    ServiceSpec("content", "content", 8002),
    ServiceSpec("events", "events", 8003),
    ServiceSpec(
        "notifications",
        "notifications",
        8004,
        uses_smtp=True,
        env={
            # Links in emails open pages of the web client.
            "NOTIFICATIONS_PUBLIC_BASE_URL": WEB_CLIENT_ORIGIN,
            # A developer's webhook receiver runs on localhost over plain http.
            "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
        },
    ),
    ServiceSpec(
        "gateway",
        "gateway",
        8000,
        env={
            "GATEWAY_MEMBERSHIP_URL": f"http://{LOCALHOST}:8001",
            "GATEWAY_CONTENT_URL": f"http://{LOCALHOST}:8002",
            "GATEWAY_EVENTS_URL": f"http://{LOCALHOST}:8003",
            "GATEWAY_NOTIFICATIONS_URL": f"http://{LOCALHOST}:8004",
            "GATEWAY_CORS_ALLOW_ORIGINS": WEB_CLIENT_ORIGIN,
        },
    ),
    ServiceSpec(
        "web",
        "web",
        8080,
        env={
            "WEB_GATEWAY_URL": f"http://{LOCALHOST}:8000",
            "WEB_PUBLIC_URL": WEB_CLIENT_ORIGIN,
        },
    ),
)


def service(name: str) -> ServiceSpec:
    """Look a service up by name."""
    for spec in SERVICES:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in SERVICES)
    raise KeyError(f"unknown service {name!r} (known: {known})")


def is_present(spec: ServiceSpec) -> bool:
    """Whether ``python -m <module>`` would run: the package and its ``__main__`` exist."""
    try:
        return importlib.util.find_spec(f"{spec.module}.__main__") is not None
    except ImportError:
        return False


def present_services() -> list[ServiceSpec]:
    """The registered services that can run in this checkout."""
    return [spec for spec in SERVICES if is_present(spec)]


@dataclass(frozen=True)
class Infrastructure:
    """Addresses of the shared servers a service connects to."""

    kafka: KafkaCluster
    mongo_uri: str
    smtp_host: str | None = None
    smtp_port: int | None = None
    zipkin_spans_endpoint: str | None = None
    #: Membership signs access tokens with this Ed25519 PEM file.
    signing_key_file: str | None = None
    #: Where every service finds the public keys: a JWKS URL, or the JWKS document itself.
    jwks_url: str | None = None
    jwks_json: str | None = None
    #: The notifications service's public sealing key (membership seals tokens to it) and the
    #: file holding its private half.
    token_sealing_key: str | None = None
    token_opening_keys_file: str | None = None
    #: The key-encryption keys of the per-person keys sealing personal data on Kafka (the same
    #: file for every service that handles personal data).
    personal_data_keys_file: str | None = None


def service_env(
    spec: ServiceSpec,
    infra: Infrastructure,
    *,
    port: int | None = None,
    host: str = LOCALHOST,
    database: str | None = None,
) -> dict[str, str]:
    """The variables that configure one service process (settings, then OpenTelemetry)."""
    prefix = spec.env_prefix
    env = {
        f"{prefix}HTTP_HOST": host,
        f"{prefix}HTTP_PORT": str(spec.port if port is None else port),
        **infra.kafka.service_env(spec.name, prefix),
        f"{prefix}MONGO_URI": infra.mongo_uri,
        f"{prefix}MONGO_DATABASE": database or spec.name,
        # Every process of the local stack runs on loopback: the web client and the gateway in
        # front of the services are the proxies whose X-Forwarded-For counts.
        f"{prefix}FORWARDED_ALLOW_IPS": "127.0.0.0/8,::1",
        "OTEL_SERVICE_NAME": spec.name,
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "PYTHONUNBUFFERED": "1",
    }
    if spec.uses_smtp and infra.smtp_host is not None and infra.smtp_port is not None:
        env[f"{prefix}SMTP_HOST"] = infra.smtp_host
        env[f"{prefix}SMTP_PORT"] = str(infra.smtp_port)
    if infra.zipkin_spans_endpoint is not None:
        env["OTEL_TRACES_EXPORTER"] = ZIPKIN_EXPORTER
        env["OTEL_EXPORTER_ZIPKIN_ENDPOINT"] = infra.zipkin_spans_endpoint
    else:
        env["OTEL_TRACES_EXPORTER"] = "none"
    if infra.signing_key_file is not None:
        env["MEMBERSHIP_SIGNING_KEY_FILE"] = infra.signing_key_file
    if infra.token_sealing_key is not None:
        env["MEMBERSHIP_TOKEN_SEALING_KEY"] = infra.token_sealing_key
    if infra.token_opening_keys_file is not None:
        env["NOTIFICATIONS_TOKEN_OPENING_KEYS_FILE"] = infra.token_opening_keys_file
    if infra.personal_data_keys_file is not None and spec.name in PERSON_KEY_TOPICS:
        env[f"{prefix}PERSONAL_DATA_KEYS_FILE"] = infra.personal_data_keys_file
    if infra.jwks_json is not None:
        env[f"{prefix}AUTH_JWKS"] = infra.jwks_json
    elif infra.jwks_url is not None:
        env[f"{prefix}AUTH_JWKS_URL"] = infra.jwks_url
    env.update(spec.env)
    return env
