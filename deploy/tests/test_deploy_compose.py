"""docker-compose.yml and its overlays: valid Compose, and the platform's invariants hold."""

import re
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from ipaddress import ip_network
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import SettingsConfigDict
from pymongo.uri_parser import parse_uri

from cerchia_chassis import kafka_node
from cerchia_chassis.acls import service_passwords, services_of
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.personal_data import KeyWrapper
from cerchia_chassis.settings import ServiceSettings, parse_networks
from cerchia_contracts.catalog import CATALOG
from cerchia_devstack.services import SERVICES
from web.settings import WebSettings

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILES = [REPO / "docker-compose.yml", *sorted((REPO / "deploy" / "compose").glob("*.yml"))]
# What a person may open from the host: the web client, the gateway, the tracing UI and the
# mail UI.
PUBLISHED = {("web", 8080), ("gateway", 8000), ("jaeger", 16686), ("mailpit", 8025)}
LOOPBACK = "127.0.0.1"
# The gateway keeps no data (its rate limits are in memory); every other service owns a database.
STATELESS = {"gateway"}
# Client apps of the gateway's public API that run as platform services: the web client. It sits
# in front of the gateway, not behind it; it keeps its browser sessions in its own database, uses
# no Kafka and verifies no token itself (the gateway and the services do).
CLIENT_APPS = {"web"}
# The services that are Kafka principals (User:<service>), as the ACLs derived from the catalog
# name them: every producer and consumer of a topic (the gateway reads membership.sessions.v1).
PRINCIPALS = services_of(CATALOG)
# The user of the service images (deploy/docker/Dockerfile).
SERVICE_UID = "10001"

Compose = dict[str, Any]


def jobs(compose: Compose) -> set[str]:
    """Containers that run once: others wait for them to complete successfully."""
    return {
        name
        for spec in compose["services"].values()
        for name, dep in (spec.get("depends_on") or {}).items()
        if isinstance(dep, dict) and dep.get("condition") == "service_completed_successfully"
    }


def long_running(compose: Compose) -> dict[str, Any]:
    """Containers that stay up."""
    done = jobs(compose)
    return {name: spec for name, spec in compose["services"].items() if name not in done}


def built_service(spec: dict[str, Any]) -> str | None:
    """The platform service an image is built for (its SERVICE build argument)."""
    build = spec.get("build")
    return None if build is None else build.get("args", {}).get("SERVICE")


def app_services(compose: Compose) -> dict[str, dict[str, Any]]:
    """The long-running containers that are platform services, by name."""
    return {
        name: spec
        for name, spec in long_running(compose).items()
        if built_service(spec) is not None
    }


def with_database(compose: Compose) -> dict[str, dict[str, Any]]:
    """The platform services that own a database."""
    return {n: spec for n, spec in app_services(compose).items() if n not in STATELESS}


def environment(spec: dict[str, Any], interpolate: Callable[[Any], Any]) -> dict[str, str]:
    env = spec.get("environment") or {}
    assert isinstance(env, dict), "environment is written as a mapping"
    return {key: str(interpolate(value)) for key, value in env.items()}


def address_on(spec: dict[str, Any], network: str) -> str:
    """A service's fixed address on one network, inside that network's declared subnet."""
    return str(spec["networks"][network]["ipv4_address"])


def networks(spec: dict[str, Any]) -> set[str]:
    value = spec.get("networks") or {}
    return set(value if isinstance(value, list) else value.keys())


@dataclass(frozen=True)
class Mount:
    """A volume or bind mount of a container (short syntax)."""

    source: str
    target: str
    read_only: bool


def mounts(spec: dict[str, Any]) -> list[Mount]:
    found = []
    for volume in spec.get("volumes") or []:
        source, target, *options = str(volume).split(":")
        found.append(Mount(source, target, bool(options) and "ro" in options[0].split(",")))
    return found


def mount_of(spec: dict[str, Any], path: str) -> Mount | None:
    """The mount a path in the container lies in (the deepest one)."""
    holding = [m for m in mounts(spec) if path == m.target or path.startswith(m.target + "/")]
    return max(holding, key=lambda m: len(m.target), default=None)


def holders(compose: Compose, volume: str) -> dict[str, Mount]:
    """The containers that mount a volume, and how."""
    return {
        name: mount
        for name, spec in compose["services"].items()
        for mount in mounts(spec)
        if mount.source == volume
    }


def secret_files(spec: dict[str, Any]) -> dict[str, str]:
    """The secrets a container is given: file path in the container -> secret name."""
    files = {}
    for entry in spec.get("secrets") or []:
        source = entry if isinstance(entry, str) else entry["source"]
        target = source if isinstance(entry, str) else entry.get("target", source)
        files[target if target.startswith("/") else f"/run/secrets/{target}"] = source
    return files


def with_secret_files(env: dict[str, str], spec: dict[str, Any], directory: Path) -> dict[str, str]:
    """``env`` with each secret file it names replaced by a file holding ``value-of-<secret>``."""
    files = secret_files(spec)
    rewritten = dict(env)
    for key, value in env.items():
        if value in files:
            path = directory / files[value]
            path.write_text(f"value-of-{files[value]}\n")
            rewritten[key] = str(path)
    return rewritten


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_compose_files_follow_the_compose_specification(
    path: Path, tool: Callable[[str], str]
) -> None:
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_rejects_a_broken_compose_file(
    tmp_path: Path, tool: Callable[[str], str]
) -> None:
    broken = tmp_path / "compose.yml"
    broken.write_text("services:\n  app:\n    image: x:1\n    healthcheck:\n      tests: []\n")
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "tests" in done.stdout


def test_every_platform_service_runs_in_compose(
    compose: Compose, platform_services: list[str]
) -> None:
    built = {built_service(spec) for spec in app_services(compose).values()}
    assert built == set(platform_services)
    for name, spec in app_services(compose).items():
        assert built_service(spec) == name, "each service container is named after its service"


def test_every_long_running_container_has_a_healthcheck(compose: Compose) -> None:
    for name, spec in long_running(compose).items():
        check = spec.get("healthcheck") or {}
        assert check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} has its healthcheck disabled"


def test_services_are_ready_only_when_their_dependencies_answer(compose: Compose) -> None:
    for name, spec in app_services(compose).items():
        assert spec["healthcheck"]["test"][-1] == "/health/ready", name


def test_dependencies_wait_for_health_or_completion(compose: Compose) -> None:
    done = jobs(compose)
    for name, spec in compose["services"].items():
        depends = spec.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for dependency, rule in depends.items():
            assert dependency in compose["services"], f"{name} depends on unknown {dependency}"
            if dependency in done:
                expected = "service_completed_successfully"
            elif dependency.startswith("mongo-") and name == f"{dependency}-init":
                # A database is healthy only once its init job has made it a replica set; the
                # job itself waits for the server to answer.
                expected = "service_started"
            else:
                expected = "service_healthy"
            assert rule["condition"] == expected, (name, dependency)


def test_services_wait_for_their_database_kafka_topics_and_tracing(compose: Compose) -> None:
    for name, spec in with_database(compose).items():
        depends = spec["depends_on"]
        if name in PRINCIPALS:
            assert depends["kafka-init"]["condition"] == "service_completed_successfully"
        else:
            assert not {"kafka", "kafka-init", "kafka-credentials"} & set(depends), name
        assert depends[f"mongo-{name}"]["condition"] == "service_healthy"
        assert depends[f"mongo-{name}-init"]["condition"] == "service_completed_successfully"
        assert depends["jaeger"]["condition"] == "service_healthy"
        if name in CLIENT_APPS:
            assert depends["gateway"]["condition"] == "service_healthy", "its one upstream"
            assert "membership" not in depends, f"{name} needs no JWKS"
        elif name != "membership":
            assert depends["membership"]["condition"] == "service_healthy", "JWKS comes first"
    for name in PRINCIPALS:
        depends = compose["services"][name]["depends_on"]
        assert depends["kafka-credentials"]["condition"] == "service_completed_successfully"
    for name in ("membership", "notifications"):
        depends = compose["services"][name]["depends_on"]
        assert depends["token-keys"]["condition"] == "service_completed_successfully"
    for name in STATELESS:
        # The services behind the gateway; the web client is in front of it.
        upstreams = (set(with_database(compose)) - CLIENT_APPS) | {"jaeger"}
        if name in PRINCIPALS:
            upstreams |= {"kafka-init", "kafka-credentials"}
        assert set(compose["services"][name]["depends_on"]) == upstreams


def test_every_container_has_a_memory_limit(compose: Compose) -> None:
    for name, spec in compose["services"].items():
        limits = ((spec.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        assert limits.get("memory"), f"{name} has no memory limit"


def test_only_the_web_client_the_gateway_and_the_uis_are_published_on_loopback(
    compose: Compose,
) -> None:
    published = set()
    for name, spec in compose["services"].items():
        for port in spec.get("ports") or []:
            host_ip, host_port, container_port = str(port).split(":")
            assert host_ip == LOOPBACK, f"{name} publishes {port} beyond this machine"
            assert host_port == container_port
            published.add((name, int(container_port)))
    assert published == PUBLISHED
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8080:8080"]


def test_no_two_containers_publish_the_same_host_port() -> None:
    # The overlays add to the main file: a port taken twice fails `docker compose up`.
    taken: dict[str, str] = {}
    for path in COMPOSE_FILES:
        for name, spec in yaml.safe_load(path.read_text())["services"].items():
            for port in spec.get("ports") or []:
                host = str(port).rsplit(":", 1)[0]
                owner = f"{path.name}: {name}"
                assert taken.setdefault(host, owner) == owner, f"{owner} and {taken[host]}: {host}"


@pytest.mark.parametrize(
    "path", [p for p in COMPOSE_FILES if p.parent.name == "compose"], ids=lambda p: p.name
)
def test_overlays_publish_on_loopback_and_extend_known_services(
    path: Path, compose: Compose
) -> None:
    overlay = yaml.safe_load(path.read_text())
    for name, spec in overlay["services"].items():
        assert name in compose["services"] or spec.get("image"), f"{path.name}: {name}?"
        for port in spec.get("ports") or []:
            assert str(port).startswith(LOOPBACK + ":"), f"{path.name}: {name} {port}"
    for network in overlay.get("networks") or {}:
        assert network in compose["networks"], f"{path.name}: unknown network {network}"


def test_images_are_pinned_and_build_inputs_exist(compose: Compose) -> None:
    for name, spec in compose["services"].items():
        image = spec.get("image")
        if image is not None:
            reference = image.rsplit("/", 1)[-1]
            assert ":" in reference, f"{name}: {image} has no tag"
            assert not reference.endswith(":latest"), f"{name}: {image}"
        build = spec.get("build")
        if build is not None:
            assert (REPO / build["context"]).is_dir()
            assert (REPO / build["context"] / build["dockerfile"]).is_file()
            service = built_service(spec)
            assert (REPO / "services" / str(service) / "src" / str(service)).is_dir()
        assert image or build, f"{name} has neither image nor build"
        for volume in spec.get("volumes") or []:
            source = str(volume).split(":")[0]
            if source.startswith("."):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in compose["volumes"], f"{name}: undeclared volume {source}"


def test_services_are_configured_for_containers(
    compose: Compose, interpolate: Callable[[Any], Any]
) -> None:
    ports = {spec.name: spec.port for spec in SERVICES}
    for name, spec in app_services(compose).items():
        env = environment(spec, interpolate)
        prefix = name.upper() + "_"
        assert env[prefix + "HTTP_HOST"] == "0.0.0.0"  # noqa: S104 - inside its container
        assert int(env[prefix + "HTTP_PORT"]) == ports[name], "same port as the local stack"
        if name in PRINCIPALS:
            assert env[prefix + "KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        else:
            assert not any("KAFKA" in key for key in env), f"{name} uses no Kafka"
        # uvicorn's own variable is never used: each service's setting names its proxies.
        assert "FORWARDED_ALLOW_IPS" not in env, name
        trusted = parse_networks(env.get(prefix + "FORWARDED_ALLOW_IPS", ""))
        if name == "gateway":
            # Published, and reached by the web client: only the web client's address is trusted.
            assert trusted == (ip_network(address_on(compose["services"]["web"], "edge")),)
        elif spec.get("ports"):
            # Published: its peer is the client itself, whose X-Forwarded-For is not trusted.
            assert trusted == (), name
        elif name not in STATELESS:
            # Behind the gateway: the client address comes from the gateway's X-Forwarded-For.
            assert trusted == (ip_network(address_on(compose["services"]["gateway"], "bus")),)
        for network in trusted:
            assert network.num_addresses == 1, f"{name} trusts a whole network"
        if name in CLIENT_APPS:
            assert not any("AUTH_JWKS" in key for key in env), f"{name} verifies no token"
        elif name != "membership":
            jwks = urlsplit(env[prefix + "AUTH_JWKS_URL"])
            assert (jwks.hostname, jwks.port) == ("membership", ports["membership"])
            assert jwks.path == "/.well-known/jwks.json"
    membership = environment(compose["services"]["membership"], interpolate)
    assert membership["MEMBERSHIP_SIGNING_KEY_FILE"].startswith("/var/lib/cerchia/")
    notifications = environment(compose["services"]["notifications"], interpolate)
    assert notifications["NOTIFICATIONS_SMTP_HOST"] == "mailpit"
    assert notifications["NOTIFICATIONS_SMTP_PORT"] == "1025"


def test_the_web_client_calls_the_gateway_and_emails_link_to_it(
    compose: Compose, interpolate: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ports = {spec.name: spec.port for spec in SERVICES}
    services = compose["services"]
    env = environment(services["web"], interpolate)
    gateway = urlsplit(env["WEB_GATEWAY_URL"])
    assert (gateway.scheme, gateway.hostname, gateway.port) == ("http", "gateway", ports["gateway"])
    assert env["WEB_PUBLIC_URL"] == f"http://{LOOPBACK}:{ports['web']}", "its published address"
    notifications = environment(services["notifications"], interpolate)
    assert notifications["NOTIFICATIONS_PUBLIC_BASE_URL"] == env["WEB_PUBLIC_URL"], (
        "links in emails open the web client's pages"
    )
    assert networks(services["web"]) & networks(services["gateway"]), "it reaches the gateway"
    assert networks(services["web"]) & networks(services["jaeger"]), "it reaches the collector"
    assert "bus" not in networks(services["web"]), "no Kafka, no service behind the gateway"
    for name in ("membership", "content", "events", "kafka"):
        assert not networks(services["web"]) & networks(services[name]), name

    # What the web client makes of this environment.
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = WebSettings()
    assert settings.gateway_url == env["WEB_GATEWAY_URL"]
    assert settings.public_url == env["WEB_PUBLIC_URL"]
    assert settings.auth_revocations is False, "it follows no revoked sessions: no Kafka"
    assert settings.cookie_secure is True


def test_services_export_traces_to_jaeger_over_otlp(
    compose: Compose, interpolate: Callable[[Any], Any]
) -> None:
    installed = {ep.name for ep in entry_points(group="opentelemetry_traces_exporter")}
    for name, spec in app_services(compose).items():
        env = environment(spec, interpolate)
        exporter = env["OTEL_TRACES_EXPORTER"]
        # The chassis loads the exporter by this entry-point name: an unknown one fails startup.
        assert exporter in installed, f"{name}: {exporter} is not an installed exporter"
        assert exporter.startswith("otlp")
        endpoint = urlsplit(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
        assert (endpoint.hostname, endpoint.port) == ("jaeger", 4318)
        assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
        assert env["OTEL_SERVICE_NAME"] == name
        assert "jaeger" in compose["services"]


JAEGER_CONFIG = REPO / "deploy" / "k8s" / "observability" / "jaeger.yaml"


def jaeger_memory_bound(config: dict[str, Any]) -> int:
    """The trace limit of the in-memory store the query service and the pipeline both use."""
    backends = config["extensions"]["jaeger_storage"]["backends"]
    stored = config["exporters"]["jaeger_storage_exporter"]["trace_storage"]
    assert config["extensions"]["jaeger_query"]["storage"]["traces"] == stored
    assert "jaeger_storage_exporter" in config["service"]["pipelines"]["traces"]["exporters"]
    bound = backends[stored]["memory"]["max_traces"]
    assert isinstance(bound, int)
    return bound


def test_jaeger_keeps_a_bounded_number_of_traces_in_its_memory_limit(compose: Compose) -> None:
    jaeger = compose["services"]["jaeger"]
    command = jaeger["command"]
    config_path = command[command.index("--config") + 1]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in jaeger["volumes"]}
    assert (REPO / mounts[config_path]).resolve() == JAEGER_CONFIG
    bound = jaeger_memory_bound(yaml.safe_load(JAEGER_CONFIG.read_text()))
    # Jaeger's default (100 000) exhausts 512 MB; ~60 KB a trace must fit the limit with room.
    limit = jaeger["deploy"]["resources"]["limits"]["memory"]
    assert limit == "512M"
    assert 1000 <= bound <= 512 * 1024 // 60 * 3 // 4
    receivers = yaml.safe_load(JAEGER_CONFIG.read_text())["receivers"]["otlp"]["protocols"]
    assert receivers["http"]["endpoint"].endswith(":4318")  # where the services export


def test_each_service_has_its_own_database_user_and_password(
    compose: Compose, interpolate: Callable[[Any], Any]
) -> None:
    seen: dict[str, set[str]] = {"user": set(), "password": set(), "host": set(), "db": set()}
    for name in STATELESS:
        env = environment(compose["services"][name], interpolate)
        assert not any(key.endswith("_MONGO_URI") for key in env), f"{name} keeps no data"
    for name, spec in with_database(compose).items():
        env = environment(spec, interpolate)
        uri = parse_uri(env[name.upper() + "_MONGO_URI"])
        host = uri["nodelist"][0][0]
        init = environment(compose["services"][f"{host}-init"], interpolate)
        assert host == f"mongo-{name}"
        assert uri["database"] == env[name.upper() + "_MONGO_DATABASE"] == name
        assert uri["options"]["authSource"] == name, "the user lives in the service's database"
        assert (uri["username"], uri["password"]) == (
            init["SERVICE_USERNAME"],
            init["SERVICE_PASSWORD"],
        )
        assert init["SERVICE_DATABASE"] == name
        assert uri["options"]["replicaSet"] == init["MONGO_REPLICA_SET"]
        for key, value in (
            ("user", uri["username"]),
            ("password", uri["password"]),
            ("host", host),
            ("db", uri["database"]),
        ):
            assert value not in seen[key], f"{name} shares its database {key}"
            seen[key].add(value)


def test_databases_run_as_authenticated_replica_sets(
    compose: Compose, interpolate: Callable[[Any], Any]
) -> None:
    roots = set()
    for name in with_database(compose):
        mongo = compose["services"][f"mongo-{name}"]
        init = environment(compose["services"][f"mongo-{name}-init"], interpolate)
        command = mongo["command"]
        assert command[command.index("--replSet") + 1] == init["MONGO_REPLICA_SET"]
        assert "--keyFile" in command, "a replica set with authorization needs a key file"
        assert init["MONGO_MEMBER_HOST"] == f"mongo-{name}:27017"
        root = environment(mongo, interpolate)["MONGO_INITDB_ROOT_PASSWORD"]
        assert root == init["MONGO_ROOT_PASSWORD"]
        roots.add(root)
    assert len(roots) == len(with_database(compose)), "each database has its own root password"


def test_a_database_shares_its_networks_with_its_service_only(compose: Compose) -> None:
    services = compose["services"]
    for name in with_database(compose):
        for network in networks(services[f"mongo-{name}"]):
            members = {other for other, spec in services.items() if network in networks(spec)}
            assert members == {f"mongo-{name}", f"mongo-{name}-init", name}, network
            assert compose["networks"][network].get("internal") is True, network


# --------------------------------------------------------------------------- Kafka is never open


def test_no_secret_is_committed(compose: Compose) -> None:
    text = "\n".join(path.read_text() for path in COMPOSE_FILES)
    for name, secret in compose["secrets"].items():
        assert set(secret) == {"environment"}, f"{name}: from the environment (or .env) only"
        # A Kafka password reaches containers as a secret file, never interpolated into the file.
        assert "$" + secret["environment"] not in text
        assert "${" + secret["environment"] not in text
    for variable, rest in re.findall(r"\$\{(\w+)([^}]*)\}", text):
        if re.search(r"PASSWORD|SECRET|_KEY", variable):
            assert rest.startswith(":?"), f"{variable} has a default committed in the file"


def test_make_env_writes_every_secret_the_stack_needs_and_keeps_it(
    compose: Compose, tmp_path: Path
) -> None:
    script = REPO / "deploy" / "compose" / "make-env.sh"
    target = tmp_path / ".env"

    def make_env(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(script), *args], capture_output=True, text=True, check=False
        )

    def written() -> dict[str, str]:
        lines = target.read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))

    done = make_env(str(target))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    values = written()
    text = "\n".join(path.read_text() for path in COMPOSE_FILES)
    required = {secret["environment"] for secret in compose["secrets"].values()}
    required |= set(re.findall(r"\$\{(\w+):\?", text))
    assert required <= set(values), required - set(values)
    assert len(set(values.values())) == len(values), "every secret is its own"
    for key, value in values.items():
        if key == "CERCHIA_PERSONAL_DATA_KEYS":  # a key, in the form the services read
            assert KeyWrapper.from_text(value).current
        else:
            assert re.fullmatch(r"[0-9a-f]{64}", value), key

    refused = make_env(str(target))
    assert refused.returncode != 0
    assert "--force" in refused.stderr
    assert written() == values, "an existing file is kept"
    forced = make_env("--force", str(target))
    assert forced.returncode == 0, forced.stderr
    assert all(written()[key] != value for key, value in values.items())


def test_read_only_containers_take_no_secrets_from_the_environment(compose: Compose) -> None:
    # Compose copies such a secret into the container's root filesystem, so it refuses them for
    # read-only containers: those get their files from volumes instead.
    for name, spec in compose["services"].items():
        if spec.get("read_only"):
            assert not spec.get("secrets"), name
    for name in app_services(compose):
        assert compose["services"][name].get("read_only") is True, name


def test_secret_files_belong_to_the_container_user_alone(compose: Compose) -> None:
    for name, spec in compose["services"].items():
        user = str(spec.get("user") or SERVICE_UID).split(":")[0]
        for entry in spec.get("secrets") or []:
            assert isinstance(entry, dict), f"{name}: give {entry} an owner and a mode"
            assert (entry["uid"], entry["mode"]) == (user, "0400"), (name, entry["source"])


def test_the_kafka_principals_wired_are_those_of_the_catalog(
    compose: Compose, interpolate: Callable[[Any], Any], tmp_path: Path
) -> None:
    # Every piece of a principal's wiring names exactly the catalog's producers and consumers, so
    # a new consumer in the catalog fails here until compose gives it its password.
    expected = set(PRINCIPALS)
    assert expected <= set(app_services(compose)), "every principal is a service that runs"
    suffix = "-kafka-credentials"
    volumes = {name.removesuffix(suffix) for name in compose["volumes"] if name.endswith(suffix)}
    assert volumes == expected, "a credentials volume per principal"
    mounting = {
        name
        for name, spec in app_services(compose).items()
        if any(m.source.endswith(suffix) for m in mounts(spec))
    }
    assert mounting == expected, "the services that mount a password"
    secrets = {
        match.group(1)
        for name in compose["secrets"]
        if (match := re.fullmatch(r"kafka_(.+)_password", name))
    } - {"admin", "broker"}
    assert secrets == expected, "a password secret per principal"
    job = compose["services"]["kafka-credentials"]
    assert set(job["command"][2:]) == expected, "kafka-credentials hands out each password"
    init = environment(compose["services"]["kafka-init"], interpolate)
    users = {
        match.group(1).lower()
        for key in init
        if (match := re.fullmatch(r"CERCHIA_KAFKA_PASSWORD_(\w+?)(?:_FILE)?", key))
    }
    assert users == expected, "kafka-init creates each principal's user"
    made = subprocess.run(
        ["bash", str(REPO / "deploy" / "compose" / "make-env.sh"), str(tmp_path / ".env")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    written = re.findall(r"^CERCHIA_KAFKA_PASSWORD_(\w+)=", (tmp_path / ".env").read_text(), re.M)
    assert {name.lower() for name in written} == expected, "make-env.sh writes each password"


def test_each_service_connects_to_kafka_as_itself_over_tls(
    compose: Compose,
    interpolate: Callable[[Any], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert set(PRINCIPALS) <= set(app_services(compose))
    for name in PRINCIPALS:
        spec = compose["services"][name]
        env = environment(spec, interpolate)
        prefix = name.upper() + "_"
        assert env[prefix + "KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert env.get(prefix + "KAFKA_SASL_USERNAME", name) == name, "the principal is the name"
        password = mount_of(spec, env[prefix + "KAFKA_SASL_PASSWORD_FILE"])
        assert password == Mount(f"{name}-kafka-credentials", "/run/secrets", read_only=True)
        ca = mount_of(spec, env[prefix + "KAFKA_CA_FILE"])
        assert ca is not None
        assert (ca.source, ca.read_only) == ("kafka-ca", True)

        # What the chassis makes of these settings.
        password_file = tmp_path / f"{name}.password"
        password_file.write_text(f"secret-of-{name}\n")
        env[prefix + "KAFKA_SASL_PASSWORD_FILE"] = str(password_file)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        config = SettingsConfigDict(env_prefix=prefix, extra="ignore", frozen=True)
        settings_class = type(f"{name}Settings", (ServiceSettings,), {"model_config": config})
        access = settings_class(service_name=name).kafka_access
        assert (access.username, access.password) == (name, f"secret-of-{name}")
        assert (access.security_protocol, access.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
        assert access.ca_file == env[prefix + "KAFKA_CA_FILE"]
        for key in env:
            monkeypatch.delenv(key)
    for name in set(app_services(compose)) - set(PRINCIPALS):
        spec = compose["services"][name]
        assert not any("PASSWORD" in key for key in environment(spec, interpolate)), name
        assert not any(m.source.endswith("-kafka-credentials") for m in mounts(spec)), name


def test_the_web_client_has_no_kafka_credentials(
    compose: Compose, interpolate: Callable[[Any], Any], tmp_path: Path
) -> None:
    assert "web" not in PRINCIPALS, "the catalog names no topic of the web client"
    services = compose["services"]
    web = services["web"]
    env = environment(web, interpolate)
    assert not any("KAFKA" in key for key in env)
    assert not web.get("secrets")
    assert not any(m.source.startswith("kafka") or "kafka" in m.source for m in mounts(web))
    assert "web" not in services["kafka-credentials"]["command"]
    assert "kafka_web_password" not in compose["secrets"]
    assert "web-kafka-credentials" not in compose["volumes"]
    assert not any("_WEB" in key for key in environment(services["kafka-init"], interpolate))
    made = subprocess.run(
        ["bash", str(REPO / "deploy" / "compose" / "make-env.sh"), str(tmp_path / ".env")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert "CERCHIA_KAFKA_PASSWORD_WEB" not in (tmp_path / ".env").read_text()


def test_each_kafka_password_reaches_its_own_service_only(compose: Compose) -> None:
    services = compose["services"]
    job = services["kafka-credentials"]
    assert job["command"][:2] == ["bash", "/cerchia/hand-out-passwords.sh"]
    assert sorted(job["command"][2:]) == sorted(PRINCIPALS)
    for name in PRINCIPALS:
        secret = f"kafka_{name}_password"
        assert compose["secrets"][secret]["environment"] == f"CERCHIA_KAFKA_PASSWORD_{name.upper()}"
        assert secret_files(job)[f"/run/secrets/{secret}"] == secret
        # The job writes /out/<service>/kafka-password; the service alone reads it.
        users = holders(compose, f"{name}-kafka-credentials")
        assert set(users) == {name, "kafka-credentials"}
        writer = users["kafka-credentials"]
        assert (writer.target, writer.read_only) == (f"/out/{name}", False)
        assert users[name].read_only

    held: dict[str, set[str]] = {}
    for name, spec in services.items():
        for secret in secret_files(spec).values():
            held.setdefault(secret, set()).add(name)
    assert held.pop("kafka_admin_password") == {"kafka", "kafka-init"}
    assert held.pop("kafka_broker_password") == {"kafka-node", "kafka"}
    for name in PRINCIPALS:
        assert held.pop(f"kafka_{name}_password") == {"kafka-credentials", "kafka-init"}
    assert not held, f"secrets given to no one or unknown: {held}"


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_no_kafka_password_is_an_environment_value(path: Path) -> None:
    document = yaml.safe_load(path.read_text())
    for name, spec in document["services"].items():
        for key, value in (spec.get("environment") or {}).items():
            if "KAFKA" in key and "PASSWORD" in key:
                assert key.endswith("_FILE"), (name, key)
            # A JAAS line may only name a placeholder that a file fills in.
            for quoted in re.findall(r'password="([^"]*)"', str(value)):
                assert quoted.startswith("$${"), (name, key)


def test_kafka_init_creates_topics_then_users_and_acls_as_the_operators(
    compose: Compose, interpolate: Callable[[Any], Any], tmp_path: Path
) -> None:
    init = compose["services"]["kafka-init"]
    script = " ".join(init["command"])
    topics = script.index("python -m cerchia_chassis.topics")
    acls = script.index("python -m cerchia_chassis.acls apply")
    assert topics < acls
    assert "&&" in script[topics:acls], "the ACLs only once the topics exist"
    assert init["depends_on"]["kafka"]["condition"] == "service_healthy"
    env = environment(init, interpolate)
    ca = mount_of(init, env["CERCHIA_KAFKA_CA_FILE"])
    assert ca is not None
    assert (ca.source, ca.read_only) == ("kafka-ca", True)

    # What the command-line tools make of this environment.
    env = with_secret_files(env, init, tmp_path)
    operator = KafkaAccess.from_environ(env)
    assert (operator.bootstrap, operator.security_protocol) == ("kafka:9092", "SASL_SSL")
    assert (operator.username, operator.password) == ("admin", "value-of-kafka_admin_password")
    assert service_passwords(env) == {
        name: f"value-of-kafka_{name}_password" for name in PRINCIPALS
    }, "every service's user is created with the password its service is given"


def test_the_broker_requires_authentication_and_creates_no_topic(
    compose: Compose, tmp_path: Path
) -> None:
    services = compose["services"]
    job, kafka = services["kafka-node"], services["kafka"]
    assert job["command"][:2] == ["bash", "/cerchia/prepare-node.sh"]
    assert kafka["entrypoint"] == ["bash", "/cerchia/start-kafka.sh"]
    assert kafka["depends_on"]["kafka-node"]["condition"] == "service_completed_successfully"
    node = holders(compose, "kafka-node")
    assert set(node) == {"kafka-node", "kafka"}, "the broker's key is the broker's alone"
    assert not node["kafka-node"].read_only
    assert node["kafka"] == Mount("kafka-node", "/etc/cerchia/kafka-node", read_only=True)
    (data,) = [m for m in mounts(kafka) if m.source == "kafka-data"]

    # The node's configuration, made as the job makes it.
    arguments = list(job["command"][2:])
    password_file = tmp_path / "broker.password"
    password_file.write_text("broker-secret\n")
    arguments[arguments.index("--broker-password-file") + 1] = str(password_file)
    assert kafka_node.main([str(tmp_path / "node"), *arguments]) == 0
    text = (tmp_path / "node" / "server.properties").read_text()
    properties = dict(line.split("=", 1) for line in text.splitlines())
    assert properties["auto.create.topics.enable"] == "false", "topics come from the catalog"
    assert properties["allow.everyone.if.no.acl.found"] == "false"
    assert properties["authorizer.class.name"].endswith("StandardAuthorizer")
    assert properties["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    protocols = properties["listener.security.protocol.map"].split(",")
    assert {pair.split(":")[1] for pair in protocols} <= {"SASL_SSL", "SSL"}, "nothing in clear"
    assert properties["advertised.listeners"] == "SASL_SSL://kafka:9092,CONTROLLER://kafka:9093"
    assert properties["log.dirs"] == data.target
    assert "User:admin" in properties["super.users"].split(";")
    # The broker reaches its controller at the node's own name, which its certificate carries.
    assert kafka["hostname"] == "kafka"
    assert "kafka-admin.sh" in " ".join(kafka["healthcheck"]["test"]), "healthy = authenticates"


@pytest.mark.parametrize(
    "path", [p for p in COMPOSE_FILES if p.parent.name == "compose"], ids=lambda p: p.name
)
def test_overlays_add_no_listener_in_clear(path: Path) -> None:
    overlay = yaml.safe_load(path.read_text())
    kafka = overlay["services"].get("kafka") or {}
    overrides = dict(
        line.split("=", 1)
        for line in str((kafka.get("environment") or {}).get("KAFKA_OVERRIDES", "")).splitlines()
        if line
    )
    protocols = overrides.get("listener.security.protocol.map", "SASL_SSL:SASL_SSL").split(",")
    assert {pair.split(":")[1] for pair in protocols} <= {"SASL_SSL", "SSL"}
    for name, spec in overlay["services"].items():
        env = spec.get("environment") or {}
        for key, value in env.items():
            if key.endswith("SECURITY_PROTOCOL"):
                assert value == "SASL_SSL", (name, key)


def test_token_keys_reach_only_the_services_that_need_them(
    compose: Compose, interpolate: Callable[[Any], Any]
) -> None:
    job = compose["services"]["token-keys"]
    private, public = job["entrypoint"][2:4]
    opening, sealing = holders(compose, "token-opening-keys"), holders(compose, "token-sealing-key")
    assert set(opening) == {"token-keys", "notifications"}, "the private key is notifications'"
    assert set(sealing) == {"token-keys", "membership"}
    assert opening["notifications"].read_only
    assert sealing["membership"].read_only

    def seen_by(mounted: dict[str, Mount], service: str, path: str) -> str:
        written = mounted["token-keys"].target
        assert path.startswith(written + "/")
        return mounted[service].target + path.removeprefix(written)

    notifications = environment(compose["services"]["notifications"], interpolate)
    membership = environment(compose["services"]["membership"], interpolate)
    assert notifications["NOTIFICATIONS_TOKEN_OPENING_KEYS_FILE"] == seen_by(
        opening, "notifications", private
    )
    assert membership["MEMBERSHIP_TOKEN_SEALING_KEY_FILE"] == seen_by(sealing, "membership", public)
    for name, spec in app_services(compose).items():
        keys = " ".join(environment(spec, interpolate))
        assert ("TOKEN_OPENING" in keys) == (name == "notifications"), name
        assert ("TOKEN_SEALING" in keys) == (name == "membership"), name


def test_jobs_running_as_root_hold_only_chown_and_no_network(compose: Compose) -> None:
    done = jobs(compose)
    for name, spec in compose["services"].items():
        if str(spec.get("user", "")).split(":")[0] != "0":
            continue
        assert name in done, f"{name} runs as root and stays up"
        assert spec["cap_drop"] == ["ALL"], name
        assert spec["cap_add"] == ["CHOWN"], name
        assert spec["network_mode"] == "none", name
        assert "no-new-privileges:true" in spec["security_opt"], name
