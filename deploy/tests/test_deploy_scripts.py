"""The scripts every image carries: topic creation from the catalog, and the healthcheck."""

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import ModuleType

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from cerchia_contracts.catalog import CATALOG


@pytest.fixture(scope="module")
def topics(deploy_script: Callable[[str], ModuleType]) -> ModuleType:
    return deploy_script("kafka/create_topics.py")


@pytest.fixture(scope="module")
def healthcheck(deploy_script: Callable[[str], ModuleType]) -> ModuleType:
    return deploy_script("docker/healthcheck.py")


@pytest.mark.unit
def test_the_plan_holds_every_catalog_topic_and_its_dead_letter_topic(topics: ModuleType) -> None:
    plans = topics.plan_topics(CATALOG, replication_factor=3, configs={"min.insync.replicas": "2"})
    by_name = {plan.name: plan for plan in plans}
    assert len(by_name) == len(plans) == 2 * len(CATALOG)
    for topic in CATALOG:
        for name in (topic.name, topic.dlq):
            assert by_name[name].partitions == topic.partitions
            assert by_name[name].replication_factor == 3
            assert by_name[name].configs == {"min.insync.replicas": "2"}


@pytest.mark.unit
def test_partition_counts_can_be_raised_per_topic_but_not_for_unknown_topics(
    topics: ModuleType,
) -> None:
    name = CATALOG[0].name
    plans = topics.plan_topics(CATALOG, replication_factor=1, partitions={name: 24})
    assert {p.partitions for p in plans if p.name in (name, name + ".dlq")} == {24}
    with pytest.raises(ValueError, match="not in the catalog"):
        topics.plan_topics(CATALOG, replication_factor=1, partitions={"membership.typo.v1": 3})
    with pytest.raises(ValueError, match="at least 1"):
        topics.plan_topics(CATALOG, replication_factor=0)
    with pytest.raises(ValueError, match="at least 1"):
        topics.plan_topics(CATALOG, replication_factor=1, partitions={name: 0})


@pytest.mark.unit
def test_settings_lists_are_parsed_strictly(topics: ModuleType) -> None:
    assert topics.parse_pairs("", what="x") == {}
    assert topics.parse_pairs(" a=1, b.c=two ,", what="x") == {"a": "1", "b.c": "two"}
    for bad in ("a", "a=", "=1"):
        with pytest.raises(ValueError, match="expected name=value"):
            topics.parse_pairs(bad, what="x")


@pytest.mark.unit
def test_the_command_line_reads_the_environment_and_rejects_bad_input(
    topics: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="create_topics")
    env = {"CERCHIA_TOPIC_REPLICATION_FACTOR": "3", "CERCHIA_TOPIC_PARTITIONS": ""}
    assert topics.main(["--dry-run"], env) == 0
    expected = f"{CATALOG[0].name} partitions={CATALOG[0].partitions} replication=3"
    assert expected in caplog.messages
    assert topics.main(["--dry-run", "--partitions", "nope.v1=3"], env) == 2


@pytest.mark.integration
async def test_topics_are_created_once_and_never_shrunk_or_grown(
    topics: ModuleType, kafka_bootstrap: str
) -> None:
    run = uuid.uuid4().hex[:8]
    plans = [
        replace(plan, name=f"deploy-test-{run}.{plan.name}")
        for plan in topics.plan_topics(CATALOG[:2], replication_factor=1)
    ]
    first = await topics.ensure_topics(kafka_bootstrap, plans, wait_s=30)
    assert sorted(first.created) == sorted(plan.name for plan in plans)
    second = await topics.ensure_topics(kafka_bootstrap, plans, wait_s=30)
    assert second.created == []
    assert sorted(second.existing) == sorted(plan.name for plan in plans)
    assert second.too_few_partitions == {}

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([plan.name for plan in plans])
    finally:
        await admin.close()
    assert {meta["topic"]: len(meta["partitions"]) for meta in described} == {
        plan.name: plan.partitions for plan in plans
    }

    wider = [replace(plan, partitions=plan.partitions + 2) for plan in plans]
    third = await topics.ensure_topics(kafka_bootstrap, wider, wait_s=30)
    assert third.created == []
    assert third.too_few_partitions == {p.name: (p.partitions, p.partitions + 2) for p in plans}


@pytest.mark.integration
def test_the_command_finds_every_catalog_topic_on_a_prepared_cluster(
    topics: ModuleType, kafka_bootstrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="create_topics")
    assert topics.main(["--bootstrap", kafka_bootstrap, "--wait", "30"], {}) == 0
    assert f"topics: 0 created, {2 * len(CATALOG)} existed" in caplog.messages


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
