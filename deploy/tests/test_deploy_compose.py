"""docker-compose.yml and its overlays: valid Compose, and the platform's invariants hold."""

import subprocess
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pymongo.uri_parser import parse_uri

from cerchia_devstack.services import SERVICES

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILES = [REPO / "docker-compose.yml", *sorted((REPO / "deploy" / "compose").glob("*.yml"))]
# What a person may open from the host: the gateway, the tracing UI and the mail UI.
PUBLISHED = {("gateway", 8000), ("jaeger", 16686), ("mailpit", 8025)}
LOOPBACK = "127.0.0.1"
# The gateway keeps no data (its rate limits are in memory); every other service owns a database.
STATELESS = {"gateway"}

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


def networks(spec: dict[str, Any]) -> set[str]:
    value = spec.get("networks") or {}
    return set(value if isinstance(value, list) else value.keys())


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
        assert depends["kafka-init"]["condition"] == "service_completed_successfully"
        assert depends[f"mongo-{name}"]["condition"] == "service_healthy"
        assert depends[f"mongo-{name}-init"]["condition"] == "service_completed_successfully"
        assert depends["jaeger"]["condition"] == "service_healthy"
        if name != "membership":
            assert depends["membership"]["condition"] == "service_healthy", "JWKS comes first"
    for name in STATELESS:
        upstreams = set(with_database(compose)) | {"jaeger"}
        assert set(compose["services"][name]["depends_on"]) == upstreams


def test_every_container_has_a_memory_limit(compose: Compose) -> None:
    for name, spec in compose["services"].items():
        limits = ((spec.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        assert limits.get("memory"), f"{name} has no memory limit"


def test_only_the_gateway_and_the_uis_are_published_on_loopback(compose: Compose) -> None:
    published = set()
    for name, spec in compose["services"].items():
        for port in spec.get("ports") or []:
            host_ip, host_port, container_port = str(port).split(":")
            assert host_ip == LOOPBACK, f"{name} publishes {port} beyond this machine"
            assert host_port == container_port
            published.add((name, int(container_port)))
    assert published == PUBLISHED


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
        assert env[prefix + "KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        if name not in STATELESS:
            # Behind the gateway: the client address comes from its X-Forwarded-For.
            assert env["FORWARDED_ALLOW_IPS"] == "*"
        if name != "membership":
            jwks = urlsplit(env[prefix + "AUTH_JWKS_URL"])
            assert (jwks.hostname, jwks.port) == ("membership", ports["membership"])
            assert jwks.path == "/.well-known/jwks.json"
    membership = environment(compose["services"]["membership"], interpolate)
    assert membership["MEMBERSHIP_SIGNING_KEY_FILE"].startswith("/var/lib/cerchia/")
    notifications = environment(compose["services"]["notifications"], interpolate)
    assert notifications["NOTIFICATIONS_SMTP_HOST"] == "mailpit"
    assert notifications["NOTIFICATIONS_SMTP_PORT"] == "1025"


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


def test_kafka_creates_topics_only_from_the_catalog(compose: Compose) -> None:
    kafka = compose["services"]["kafka"]["environment"]
    assert str(kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]).lower() == "false"
    assert "broker,controller" in kafka["KAFKA_PROCESS_ROLES"], "single-node KRaft"
    init = compose["services"]["kafka-init"]
    assert init["command"] == ["python", "-m", "cerchia_chassis.topics"]
    assert init["depends_on"]["kafka"]["condition"] == "service_healthy"
