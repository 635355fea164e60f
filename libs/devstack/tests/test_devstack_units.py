"""Pure pieces of the local stack: configuration rendering, ports, registry, records."""

import base64
import os
import socket
from pathlib import Path

import pytest

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import CATALOG
from cerchia_devstack import pipeline_view
from cerchia_devstack.cli import render_table
from cerchia_devstack.kafka import (
    KafkaCluster,
    KafkaSecrets,
    KafkaSettings,
    new_cluster_id,
    render_server_properties,
)
from cerchia_devstack.mail_sink import parse_message
from cerchia_devstack.paths import cache_dir
from cerchia_devstack.ports import free_ports, port_in_use
from cerchia_devstack.process import ProcessRecord
from cerchia_devstack.services import SERVICES, Infrastructure, service, service_env
from cerchia_devstack.stack import StackConfig
from cerchia_devstack.topics import catalog_topics
from cerchia_devstack.trace_backend import trace_id_hex
from cerchia_devstack.zipkin import Zipkin

pytestmark = pytest.mark.unit


def properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line)


def test_server_properties_describe_one_secured_kraft_node_with_replication_one(
    tmp_path: Path,
) -> None:
    settings = KafkaSettings("127.0.0.1", 19092, 19093)
    secrets = KafkaSecrets(tmp_path, settings)
    rendered = properties(render_server_properties(settings, Path("/data/k"), secrets))

    assert rendered["process.roles"] == "broker,controller"
    assert rendered["node.id"] == "1"
    assert rendered["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"
    assert rendered["listeners"] == "SASL_SSL://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert rendered["advertised.listeners"] == (
        "SASL_SSL://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    )
    assert rendered["controller.listener.names"] == "CONTROLLER"
    # Nobody is trusted by default: SCRAM over TLS for clients, mutual TLS for the controller,
    # ACLs for everything, and no topic appears by a typo.
    assert rendered["listener.security.protocol.map"] == "SASL_SSL:SASL_SSL,CONTROLLER:SSL"
    assert rendered["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert rendered["listener.name.controller.ssl.client.auth"] == "required"
    assert rendered["allow.everyone.if.no.acl.found"] == "false"
    assert rendered["super.users"] == "User:broker;User:admin"
    assert rendered["auto.create.topics.enable"] == "false"
    assert (
        secrets.password("broker")
        in rendered["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"]
    )
    assert rendered["log.dirs"] == "/data/k"
    assert rendered["offsets.topic.replication.factor"] == "1"
    assert rendered["transaction.state.log.replication.factor"] == "1"
    assert rendered["transaction.state.log.min.isr"] == "1"
    assert rendered["group.initial.rebalance.delay.ms"] == "0"


def test_cluster_ids_look_like_kafka_storage_random_uuid() -> None:
    ids = {new_cluster_id() for _ in range(200)}

    assert len(ids) == 200
    for cluster_id in ids:
        assert len(cluster_id) == 22
        assert not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = free_ports(5)

    assert len(set(ports)) == 5
    assert not any(port_in_use(port) for port in ports)


def test_a_bound_port_is_in_use() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert port_in_use(sock.getsockname()[1])


def test_every_catalog_topic_comes_with_its_dead_letter_topic() -> None:
    specs = {spec.name: spec for spec in catalog_topics()}

    for topic in CATALOG:
        assert specs[topic.name].partitions == topic.partitions
        assert specs[topic.dlq].partitions == topic.partitions
    assert len(specs) == 2 * len(CATALOG)


def test_service_environment_uses_the_settings_prefix_and_opentelemetry(tmp_path: Path) -> None:
    password = tmp_path / "notifications.password"
    password.write_text("secret", encoding="utf-8")
    admin = KafkaAccess("127.0.0.1:9092", username="admin", password="x", ca_file="/tls/ca.pem")
    infra = Infrastructure(
        kafka=KafkaCluster(admin=admin, password_files={"notifications": password}),
        mongo_uri="mongodb://127.0.0.1:27017/",
        smtp_host="127.0.0.1",
        smtp_port=1025,
        zipkin_spans_endpoint="http://127.0.0.1:9411/api/v2/spans",
    )

    env = service_env(service("notifications"), infra, port=18004, database="n_test")

    assert env["NOTIFICATIONS_HTTP_PORT"] == "18004"
    assert env["NOTIFICATIONS_KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:9092"
    assert env["NOTIFICATIONS_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert env["NOTIFICATIONS_KAFKA_SASL_USERNAME"] == "notifications"
    assert env["NOTIFICATIONS_KAFKA_SASL_PASSWORD_FILE"] == str(password)
    assert env["NOTIFICATIONS_KAFKA_CA_FILE"] == "/tls/ca.pem"
    assert env["NOTIFICATIONS_MONGO_URI"] == "mongodb://127.0.0.1:27017/"
    assert env["NOTIFICATIONS_MONGO_DATABASE"] == "n_test"
    assert env["NOTIFICATIONS_SMTP_HOST"] == "127.0.0.1"
    assert env["NOTIFICATIONS_SMTP_PORT"] == "1025"
    assert env["OTEL_SERVICE_NAME"] == "notifications"
    assert env["OTEL_EXPORTER_ZIPKIN_ENDPOINT"] == "http://127.0.0.1:9411/api/v2/spans"


def test_services_without_mail_or_tracing_get_neither() -> None:
    kafka = KafkaCluster(admin=KafkaAccess("k:9092", "PLAINTEXT"), password_files={})
    env = service_env(service("membership"), Infrastructure(kafka, "mongodb://m:27017/"))

    assert env["MEMBERSHIP_HTTP_PORT"] == "8001"
    assert env["MEMBERSHIP_MONGO_DATABASE"] == "membership"
    assert not any("SMTP" in key for key in env)
    assert env["OTEL_TRACES_EXPORTER"] == "none"


def test_registry_names_and_ports_are_unique() -> None:
    assert len({spec.name for spec in SERVICES}) == len(SERVICES)
    assert len({spec.port for spec in SERVICES}) == len(SERVICES)


def test_cache_dir_prefers_explicit_then_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERCHIA_CACHE_DIR", "/explicit")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert cache_dir() == Path("/explicit")
    monkeypatch.delenv("CERCHIA_CACHE_DIR")
    assert cache_dir() == Path("/xdg/cerchia")


def test_stack_config_round_trips_and_takes_overrides(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    StackConfig().with_overrides(kafka_port=19092, mongo_port=None).save(path)

    loaded = StackConfig.load(path)

    assert loaded.kafka_port == 19092
    assert loaded.mongo_port == 27017
    assert StackConfig.load(tmp_path / "missing.json") == StackConfig()


def test_process_records_round_trip_and_dead_pids_are_not_live(tmp_path: Path) -> None:
    record = ProcessRecord("kafka", 2**22 + 12345, ("java", "-jar"), "/tmp/k.log", {"a": "b"})
    record.save(tmp_path / "kafka.json")

    assert ProcessRecord.load(tmp_path / "kafka.json") == record
    assert not record.is_live()
    assert ProcessRecord.load(tmp_path / "nothing.json") is None


def test_a_live_record_must_match_the_command_line() -> None:
    own = Path(f"/proc/{os.getpid()}/cmdline")
    if not own.exists():
        pytest.skip("no procfs")
    argv = tuple(part.decode() for part in own.read_bytes().split(b"\0") if part)

    assert ProcessRecord("me", os.getpid(), argv, "x").is_live()
    assert not ProcessRecord("me", os.getpid(), ("something", "else"), "x").is_live()


def test_table_columns_are_aligned() -> None:
    assert render_table([("a", "bb"), ("ccc", "d")]) == "a    bb\nccc  d"


def test_raw_mail_parses_into_an_email_message() -> None:
    message = parse_message(b"Subject: =?utf-8?q?Ciao_=C3=A8?=\r\nTo: a@b.it\r\n\r\nbody\r\n")

    assert message["subject"] == "Ciao è"
    assert message.get_content().strip() == "body"


def test_trace_ids_from_opentelemetry_ints_become_32_hex_digits() -> None:
    assert trace_id_hex(255) == "0" * 30 + "ff"
    assert trace_id_hex("ABC") == "abc"


def test_zipkin_keeps_a_bounded_number_of_spans_in_a_heap_that_holds_them(tmp_path: Path) -> None:
    zipkin = Zipkin(root=tmp_path, cache=tmp_path)
    environment = zipkin.environment()
    assert environment["STORAGE_TYPE"] == "mem"
    spans = int(environment["MEM_MAX_SPANS"])
    assert 0 < spans <= 100_000  # Zipkin's own default (500 000) outgrew the heap
    heap = next(arg for arg in zipkin.command() if arg.startswith("-Xmx"))
    assert heap.endswith("m")
    assert int(heap[4:-1]) * 1024 >= spans * 4  # a few KB per span


def test_status_pipeline_table_sums_lag_and_names_the_dead_letter_topics_holding_records() -> None:
    exposition = "\n".join(
        [
            "# TYPE cerchia_consumer_lag gauge",
            'cerchia_consumer_lag{group="content",partition="0",topic="membership.users.v1"} 2.0',
            'cerchia_consumer_lag{group="content",partition="1",topic="membership.users.v1"} 1.0',
            "# TYPE cerchia_outbox_backlog gauge",
            "cerchia_outbox_backlog 4.0",
            "# TYPE cerchia_outbox_oldest_age_seconds gauge",
            "cerchia_outbox_oldest_age_seconds 61.25",
            "# TYPE cerchia_dlq_depth gauge",
            'cerchia_dlq_depth{topic="membership.users.v1.dlq"} 1.0',
            'cerchia_dlq_depth{topic="membership.communities.v1.dlq"} 0.0',
            "",
        ]
    )
    row = pipeline_view.summarize("content", exposition)
    assert row.cells() == ("content", "3", "4", "61.2s", "1 (membership.users.v1.dlq: 1)")
    assert pipeline_view.summarize("gateway", "").cells() == ("gateway", "-", "-", "-", "-")
    assert pipeline_view.table([row])[0] == pipeline_view.HEADER
