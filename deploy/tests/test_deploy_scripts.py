"""The scripts of deploy/: the healthcheck every image carries, and compose's Kafka and key jobs."""

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType

import pytest

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.sealing import Opener, SealingError, SealingKey
from cerchia_contracts.events.membership.tokens import SealedToken

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def healthcheck(deploy_script: Callable[[str], ModuleType]) -> ModuleType:
    return deploy_script("docker/healthcheck.py")


@pytest.mark.unit
def test_the_healthcheck_finds_the_service_port_like_the_settings_do(
    healthcheck: ModuleType,
) -> None:
    env = {"CERCHIA_SERVICE": "membership", "membership_http_port": "8001"}
    assert healthcheck.probe_url(env, "/health/ready") == "http://127.0.0.1:8001/health/ready"
    assert healthcheck.probe_url({"CERCHIA_SERVICE": "x"}, "/h") == "http://127.0.0.1:8000/h"


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health/live" else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        pass


@pytest.fixture
def health_server() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.integration
def test_the_healthcheck_exit_code_follows_the_endpoint(
    healthcheck: ModuleType, health_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERCHIA_SERVICE", "events")
    monkeypatch.setenv("EVENTS_HTTP_PORT", str(health_server))
    assert healthcheck.main(["healthcheck.py", "/health/live"]) == 0
    assert healthcheck.main(["healthcheck.py", "/health/ready"]) == 1
    monkeypatch.setenv("EVENTS_HTTP_PORT", "1")  # nothing listens there
    assert healthcheck.main(["healthcheck.py", "/health/live"]) == 1


# ------------------------------------------------------------------------ compose's Kafka scripts

KAFKA_SCRIPTS = REPO / "deploy" / "compose" / "kafka"


@dataclass
class FakeKafka:
    """A Kafka installation whose tools record their arguments, and the node's directories."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "kafka"

    @property
    def node(self) -> Path:
        return self.root / "node"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def calls_file(self) -> Path:
        return self.root / "calls.jsonl"

    def calls(self) -> list[list[str]]:
        if not self.calls_file.is_file():
            return []
        return [json.loads(line) for line in self.calls_file.read_text().splitlines()]

    def environment(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": os.environ["PATH"],
            "KAFKA_HOME": str(self.home),
            "KAFKA_NODE_DIR": str(self.node),
            "KAFKA_DATA_DIR": str(self.data),
            "SECRETS_DIR": str(self.secrets),
            "CLUSTER_ID": "2-KyVHOmU_CqbjPNyvgxVA",
            **extra,
        }

    def run(self, script: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(KAFKA_SCRIPTS / script), *args],
            env=self.environment(**extra),
            capture_output=True,
            text=True,
            check=False,
        )


@pytest.fixture
def fake_kafka(tmp_path: Path) -> FakeKafka:
    kafka = FakeKafka(tmp_path)
    (kafka.home / "bin").mkdir(parents=True)
    for directory in (kafka.node, kafka.data, kafka.secrets):
        directory.mkdir()
    # Each tool appends [its name, its arguments..., the --command-config file's content].
    recorder = kafka.root / "record.py"
    recorder.write_text(
        "import json, pathlib, sys\n"
        "args = sys.argv[1:]\n"
        "config = args[args.index('--command-config') + 1] if '--command-config' in args else ''\n"
        "content = pathlib.Path(config).read_text() if config else ''\n"
        f"with open({str(kafka.calls_file)!r}, 'a') as log:\n"
        "    log.write(json.dumps([*args, content]) + '\\n')\n"
    )
    for tool in ("kafka-storage.sh", "kafka-server-start.sh", "kafka-broker-api-versions.sh"):
        path = kafka.home / "bin" / tool
        path.write_text(f'#!/usr/bin/env bash\nexec "{sys.executable}" "{recorder}" {tool} "$@"\n')
        path.chmod(0o755)
    (kafka.secrets / "kafka_broker_password").write_text("broker-" + "b" * 24)
    (kafka.secrets / "kafka_admin_password").write_text("admin-" + "a" * 24)
    return kafka


@pytest.mark.unit
def test_the_broker_formats_its_storage_once_with_its_scram_users(fake_kafka: FakeKafka) -> None:
    first = fake_kafka.run("start-kafka.sh")
    assert first.returncode == 0, first.stderr
    (format_call, start_call) = fake_kafka.calls()
    properties = str(fake_kafka.node / "server.properties")
    assert format_call[:4] == ["kafka-storage.sh", "format", "--standalone", "--ignore-formatted"]
    assert format_call[format_call.index("--cluster-id") + 1] == "2-KyVHOmU_CqbjPNyvgxVA"
    assert format_call[format_call.index("--config") + 1] == properties
    scram = [format_call[i + 1] for i, arg in enumerate(format_call) if arg == "--add-scram"]
    assert scram == [
        "SCRAM-SHA-512=[name=broker,password=broker-" + "b" * 24 + "]",
        "SCRAM-SHA-512=[name=admin,password=admin-" + "a" * 24 + "]",
    ]
    assert start_call[:2] == ["kafka-server-start.sh", properties]

    # Formatted (Kafka wrote meta.properties): later starts only start, with the overrides.
    (fake_kafka.data / "meta.properties").write_text("version=1\n")
    fake_kafka.calls_file.unlink()
    overrides = "# a comment\nlisteners=SASL_SSL://0.0.0.0:9092\n\nadvertised.listeners=x y\n"
    again = fake_kafka.run("start-kafka.sh", KAFKA_OVERRIDES=overrides)
    assert again.returncode == 0, again.stderr
    ((*start, _),) = fake_kafka.calls()
    assert start == [
        "kafka-server-start.sh",
        properties,
        "--override",
        "listeners=SASL_SSL://0.0.0.0:9092",
        "--override",
        "advertised.listeners=x y",
    ]


@pytest.mark.unit
def test_the_broker_refuses_storage_formatted_without_users(fake_kafka: FakeKafka) -> None:
    (fake_kafka.data / "meta.properties").write_text("version=1\n")
    done = fake_kafka.run("start-kafka.sh")
    assert done.returncode != 0
    assert "predates authentication" in done.stderr
    assert "docker compose down -v" in done.stderr
    assert not fake_kafka.calls(), "neither formatted nor started"


@pytest.mark.unit
@pytest.mark.parametrize(
    "password", ["short", "has]bracket-and-more-chars", 'has"quote-1234567890']
)
def test_the_broker_refuses_passwords_it_cannot_pass_on_safely(
    fake_kafka: FakeKafka, password: str
) -> None:
    (fake_kafka.secrets / "kafka_admin_password").write_text(password)
    done = fake_kafka.run("start-kafka.sh")
    assert done.returncode != 0
    assert "kafka_admin_password" in done.stderr
    assert not fake_kafka.calls()


@pytest.mark.unit
def test_the_admin_tools_authenticate_as_the_operators_over_tls(fake_kafka: FakeKafka) -> None:
    done = fake_kafka.run("kafka-admin.sh", "kafka-broker-api-versions.sh")
    assert done.returncode == 0, done.stderr
    ((*call, config),) = fake_kafka.calls()
    assert call[:3] == ["kafka-broker-api-versions.sh", "--bootstrap-server", "localhost:9092"]
    operator = KafkaAccess.from_properties(config, bootstrap=call[2])
    assert (operator.security_protocol, operator.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (operator.username, operator.password) == ("admin", "admin-" + "a" * 24)
    assert operator.ca_file == str(fake_kafka.node / "ca.pem")
    assert not Path(call[call.index("--command-config") + 1]).exists(), "the config is removed"


@pytest.mark.unit
def test_each_service_gets_its_own_kafka_password_file(tmp_path: Path) -> None:
    secrets, out = tmp_path / "secrets", tmp_path / "out"
    for service in ("membership", "content"):
        secrets.mkdir(exist_ok=True)
        (secrets / f"kafka_{service}_password").write_text(f"password-of-{service}")
        (out / service).mkdir(parents=True)

    def hand_out(*services: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(KAFKA_SCRIPTS / "hand-out-passwords.sh"), *services],
            env={
                "PATH": os.environ["PATH"],
                "SECRETS_DIR": str(secrets),
                "OUT_DIR": str(out),
                "SERVICE_USER": f"{os.getuid()}:{os.getgid()}",
            },
            capture_output=True,
            text=True,
            check=False,
        )

    for _ in range(2):  # a second run replaces the files
        done = hand_out("membership", "content")
        assert done.returncode == 0, done.stderr
        for service in ("membership", "content"):
            handed = out / service / "kafka-password"
            assert handed.read_text() == f"password-of-{service}"
            assert stat.S_IMODE(handed.stat().st_mode) == 0o400
        assert sorted(p.name for p in out.rglob("*")) == [
            "content",
            "kafka-password",
            "kafka-password",
            "membership",
        ]
    missing = hand_out("events")
    assert missing.returncode != 0
    assert "kafka_events_password" in missing.stderr


@pytest.mark.unit
@pytest.mark.skipif(os.geteuid() != 0, reason="hands files to another user: needs root")
def test_the_node_files_go_to_the_broker_and_the_ca_to_every_client(tmp_path: Path) -> None:
    node, ca = tmp_path / "node", tmp_path / "ca"
    node.mkdir()
    ca.mkdir()
    password = tmp_path / "broker-password"
    password.write_text("broker-" + "b" * 24)
    for _ in range(2):  # a second run finds the broker's files and keeps the CA
        done = subprocess.run(
            [
                "bash",
                str(KAFKA_SCRIPTS / "prepare-node.sh"),
                *("--host", "kafka", "--host", "localhost"),
                *("--data-dir", "/var/lib/kafka/data", "--broker-password-file", str(password)),
            ],
            env={
                "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                "KAFKA_NODE_DIR": str(node),
                "KAFKA_CA_DIR": str(ca),
                "KAFKA_USER": "1000:1000",
            },
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        for name in ("server.properties", "broker.pem", "ca.pem"):
            assert (node / name).stat().st_uid == 1000, name
        assert (node / "ca-key.pem").stat().st_uid == 0, "the CA's key is not the broker's"
        assert stat.S_IMODE((node / "broker.pem").stat().st_mode) == 0o600
        assert (ca / "ca.pem").read_bytes() == (node / "ca.pem").read_bytes()
        assert stat.S_IMODE((ca / "ca.pem").stat().st_mode) == 0o644
    assert 'password="broker-' + "b" * 24 in (node / "server.properties").read_text()


# ------------------------------------------------------------------------ compose's token keys


@pytest.fixture(scope="module")
def token_keys(deploy_script: Callable[[str], ModuleType]) -> ModuleType:
    return deploy_script("compose/keys/token_keys.py")


@pytest.mark.unit
def test_token_keys_are_made_once_and_rotate_keeping_the_previous(
    token_keys: ModuleType, tmp_path: Path
) -> None:
    private, public = tmp_path / "private" / "keys", tmp_path / "public" / "key"
    private.parent.mkdir()
    public.parent.mkdir()

    def sealed_now() -> SealedToken:
        return SealingKey.from_text(public.read_text()).seal("t0ken", context="ctx")

    def opens(sealed: SealedToken) -> bool:
        try:
            return Opener.from_text(private.read_text()).open(sealed, context="ctx") == "t0ken"
        except SealingError:
            return False

    assert token_keys.main([str(private), str(public)]) == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o440
    assert stat.S_IMODE(public.stat().st_mode) == 0o444
    first = sealed_now()
    assert opens(first)
    kept = private.read_text()
    assert token_keys.main([str(private), str(public)]) == 0
    assert private.read_text() == kept, "made once, kept after"

    assert token_keys.main([str(private), str(public), "--rotate"]) == 0
    second = sealed_now()
    assert second.key_id != first.key_id, "membership seals to the new key"
    assert opens(first), "tokens sealed to the previous key still open"
    assert opens(second)
    assert token_keys.main([str(private), str(public), "--rotate"]) == 0
    assert opens(second)
    assert not opens(first), "two rotations later, the oldest key is gone"
