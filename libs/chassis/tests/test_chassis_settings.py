"""Settings: secrets from files, trusted proxies by CIDR, MongoDB timeouts, uvicorn options."""

from ipaddress import ip_network
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from cerchia_chassis.http import uvicorn_options
from cerchia_chassis.kafka_access import KafkaAccessError
from cerchia_chassis.mongo import build_mongo_client
from cerchia_chassis.settings import ServiceSettings, parse_networks

pytestmark = pytest.mark.unit


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore", frozen=True)

    service_name: str = "probe"
    api_secret: SecretStr | None = None


def test_a_connection_string_and_a_secret_come_from_mounted_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = tmp_path / "connectionString.standard"
    uri.write_text("mongodb://probe:s3cret@db:27017/probe?replicaSet=rs\n", encoding="utf-8")
    secret = tmp_path / "api-secret"
    secret.write_text("shh", encoding="utf-8")
    monkeypatch.setenv("PROBE_MONGO_URI_FILE", str(uri))
    monkeypatch.setenv("PROBE_API_SECRET_FILE", str(secret))
    settings = ProbeSettings()
    assert settings.mongo_uri == "mongodb://probe:s3cret@db:27017/probe?replicaSet=rs"
    assert settings.api_secret is not None
    assert settings.api_secret.get_secret_value() == "shh"
    monkeypatch.setenv("PROBE_MONGO_URI", "mongodb://elsewhere/")
    with pytest.raises(KafkaAccessError, match="not both"):
        ProbeSettings()


def test_an_unreadable_secret_file_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBE_API_SECRET_FILE", "/nowhere/api-secret")
    with pytest.raises(KafkaAccessError, match="cannot read /nowhere/api-secret"):
        ProbeSettings()


def test_trusted_proxies_parse_as_addresses_and_networks() -> None:
    assert parse_networks("") == ()
    assert parse_networks(" 10.0.0.0/8 , 192.0.2.7,::1, fd00::/8 ,") == (
        ip_network("10.0.0.0/8"),
        ip_network("192.0.2.7/32"),
        ip_network("::1/128"),
        ip_network("fd00::/8"),
    )


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("*", "trust X-Forwarded-For from anyone"),
        ("10.0.0.1/8", "'10.0.0.1/8' is not an IP address or CIDR network: .*host bits"),
        ("10.0.0/8", "'10.0.0/8'"),
        ("ingress.local", "'ingress.local'"),
        ("10.0.0.0/33", "'10.0.0.0/33'"),
    ],
)
def test_a_bad_trusted_proxy_is_refused_naming_it(value: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_networks(value)
    with pytest.raises(ValidationError, match=complaint):
        ProbeSettings(forwarded_allow_ips=value)


def test_no_proxy_is_trusted_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    # uvicorn would fall back to its own variable (and to loopback) if the option were unset.
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    options = uvicorn_options(ProbeSettings())
    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == []
    monkeypatch.setenv("PROBE_FORWARDED_ALLOW_IPS", "10.244.0.0/16,192.0.2.7")
    options = uvicorn_options(ProbeSettings())
    assert options["forwarded_allow_ips"] == ["10.244.0.0/16", "192.0.2.7/32"]


async def _peer_seen(trusted: list[str], peer: str, forwarded_for: str) -> str:
    seen: list[str] = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        client = scope["client"]
        assert isinstance(client, tuple)
        seen.append(client[0])

    middleware = ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # type: ignore[arg-type]
    scope = {
        "type": "http",
        "client": (peer, 4321),
        "headers": [(b"x-forwarded-for", forwarded_for.encode())],
    }
    await middleware(scope, None, None)  # type: ignore[arg-type]
    return seen[0]


async def test_x_forwarded_for_counts_only_from_a_trusted_network() -> None:
    trusted = uvicorn_options(ProbeSettings(forwarded_allow_ips="10.244.0.0/16"))
    allowed = trusted["forwarded_allow_ips"]
    assert await _peer_seen(allowed, "10.244.3.9", "198.51.100.23") == "198.51.100.23"
    assert await _peer_seen(allowed, "203.0.113.5", "198.51.100.23") == "203.0.113.5"
    nobody = uvicorn_options(ProbeSettings())["forwarded_allow_ips"]
    assert await _peer_seen(nobody, "127.0.0.1", "198.51.100.23") == "127.0.0.1"


def test_the_mongo_client_has_socket_selection_and_operation_timeouts() -> None:
    settings = ProbeSettings(
        mongo_timeout_ms=1500, mongo_socket_timeout_ms=7000, mongo_operation_timeout_ms=9000
    )
    options = build_mongo_client(settings).options
    assert options.server_selection_timeout == 1.5
    assert options.pool_options.connect_timeout == 1.5
    assert options.pool_options.socket_timeout == 7.0
    assert options.timeout == 9.0
    unbounded = build_mongo_client(ProbeSettings(mongo_operation_timeout_ms=0)).options
    assert unbounded.timeout is None
    assert unbounded.pool_options.socket_timeout == 20.0
    with pytest.raises(ValidationError):
        ProbeSettings(mongo_socket_timeout_ms=0)


def test_servers_keep_idle_connections_longer_than_the_callers_pools() -> None:
    # httpx (the gateway's and the web client's pools) drops an idle connection after 5 s; a
    # server closing at the same moment would race a reused connection and fail a POST.
    callers = httpx.Limits().keepalive_expiry
    assert callers is not None
    assert uvicorn_options(ProbeSettings())["timeout_keep_alive"] > 2 * callers
