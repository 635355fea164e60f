"""Kafka's own command-line tools work against the secured stack with the operators' config."""

import subprocess
from pathlib import Path

import pytest

from cerchia_contracts.catalog import CATALOG, CONTENT_PUBLIC
from cerchia_devstack import kafka_tools
from cerchia_devstack.kafka import KafkaBroker, KafkaCluster
from cerchia_devstack.paths import cache_dir, kafka_pom, repo_root

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def run(kafka: KafkaCluster, tmp_path: Path, tool: str, *args: str) -> str:
    config = tmp_path / "admin.properties"
    config.write_text(kafka.admin.java_properties(), encoding="utf-8")
    broker = KafkaBroker(root=tmp_path, cache=cache_dir(), pom=kafka_pom(repo_root()))
    broker.install()
    argv = kafka_tools.command(broker, tool, args, bootstrap=kafka.bootstrap, config=config)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_kafka_topics_lists_the_catalog(kafka: KafkaCluster, tmp_path: Path) -> None:
    listed = set(run(kafka, tmp_path, "topics", "--list").split())
    assert {t.name for t in CATALOG} | {t.dlq for t in CATALOG} <= listed


def test_kafka_acls_shows_the_catalog_grants(kafka: KafkaCluster, tmp_path: Path) -> None:
    shown = run(kafka, tmp_path, "acls", "--list", "--topic", CONTENT_PUBLIC.name)
    assert "User:content" in shown
    assert "WRITE" in shown


def test_kafka_consumer_groups_lists_groups(kafka: KafkaCluster, tmp_path: Path) -> None:
    run(kafka, tmp_path, "consumer-groups", "--list")


def test_a_tool_without_the_config_is_refused(kafka: KafkaCluster, tmp_path: Path) -> None:
    broker = KafkaBroker(root=tmp_path, cache=cache_dir(), pom=kafka_pom(repo_root()))
    empty = tmp_path / "empty.properties"
    empty.write_text("request.timeout.ms=5000\ndefault.api.timeout.ms=8000\n", encoding="utf-8")
    argv = kafka_tools.command(
        broker, "topics", ["--list"], bootstrap=kafka.bootstrap, config=empty
    )
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
