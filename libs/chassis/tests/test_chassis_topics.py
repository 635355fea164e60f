"""Creating the catalog's topics: the plan, the command line and idempotent creation on Kafka."""

import logging
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from cerchia_chassis import topics
from cerchia_contracts.catalog import CATALOG
from cerchia_devstack.kafka import KafkaCluster


@pytest.mark.unit
def test_the_plan_holds_every_catalog_topic_and_its_dead_letter_topic() -> None:
    plans = topics.plan_topics(CATALOG, replication_factor=3, configs={"min.insync.replicas": "2"})
    by_name = {plan.name: plan for plan in plans}
    assert len(by_name) == len(plans) == 2 * len(CATALOG)
    for topic in CATALOG:
        for name in (topic.name, topic.dlq):
            assert by_name[name].partitions == topic.partitions
            assert by_name[name].replication_factor == 3
            # Topics holding personal data keep it for a short time, their DLQs too.
            retention = (
                {} if topic.retention_ms is None else {"retention.ms": str(topic.retention_ms)}
            )
            # The person-key topics are compacted: a destroyed key's record goes within hours.
            compaction = dict(topics.COMPACTION) if topic.compacted else {}
            assert by_name[name].configs == {
                "min.insync.replicas": "2",
                **retention,
                **compaction,
            }
    assert by_name["content.exports.v1.dlq"].configs["retention.ms"] == str(24 * 3600 * 1000)
    assert by_name["membership.person-keys.v1"].configs["cleanup.policy"] == "compact"


@pytest.mark.unit
def test_partition_counts_can_be_raised_per_topic_but_not_for_unknown_topics() -> None:
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
def test_settings_lists_are_parsed_strictly() -> None:
    assert topics.parse_pairs("", what="x") == {}
    assert topics.parse_pairs(" a=1, b.c=two ,", what="x") == {"a": "1", "b.c": "two"}
    for bad in ("a", "a=", "=1"):
        with pytest.raises(ValueError, match="expected name=value"):
            topics.parse_pairs(bad, what="x")


@pytest.mark.unit
def test_the_command_line_reads_the_environment_and_rejects_bad_input(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cerchia.topics")
    env = {"CERCHIA_TOPIC_REPLICATION_FACTOR": "3", "CERCHIA_TOPIC_PARTITIONS": ""}
    assert topics.main(["--dry-run"], env) == 0
    expected = f"{CATALOG[0].name} partitions={CATALOG[0].partitions} replication=3"
    assert expected in caplog.messages
    assert topics.main(["--dry-run", "--partitions", "nope.v1=3"], env) == 2


@pytest.mark.integration
async def test_topics_are_created_once_and_never_shrunk_or_grown(kafka: KafkaCluster) -> None:
    run = uuid.uuid4().hex[:8]
    plans = [
        replace(plan, name=f"deploy-test-{run}.{plan.name}")
        for plan in topics.plan_topics(CATALOG[:2], replication_factor=1)
    ]
    first = await topics.ensure_topics(kafka.admin, plans, wait_s=30)
    assert sorted(first.created) == sorted(plan.name for plan in plans)
    second = await topics.ensure_topics(kafka.admin, plans, wait_s=30)
    assert second.created == []
    assert sorted(second.existing) == sorted(plan.name for plan in plans)
    assert second.too_few_partitions == {}

    admin = AIOKafkaAdminClient(**kafka.admin.client_kwargs())
    await admin.start()
    try:
        described = await admin.describe_topics([plan.name for plan in plans])
    finally:
        await admin.close()
    assert {meta["topic"]: len(meta["partitions"]) for meta in described} == {
        plan.name: plan.partitions for plan in plans
    }

    wider = [replace(plan, partitions=plan.partitions + 2) for plan in plans]
    third = await topics.ensure_topics(kafka.admin, wider, wait_s=30)
    assert third.created == []
    assert third.too_few_partitions == {p.name: (p.partitions, p.partitions + 2) for p in plans}


@pytest.mark.integration
def test_the_command_finds_every_catalog_topic_on_a_prepared_cluster(
    kafka: KafkaCluster, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO, logger="cerchia.topics")
    config = tmp_path / "operator.properties"
    config.write_text(kafka.admin.java_properties(), encoding="utf-8")
    # The operator's client configuration, as Kafka's own tools read it.
    assert topics.main(["--client-config", str(config), "--wait", "30"], {}) == 0
    assert f"topics: 0 created, {2 * len(CATALOG)} existed" in caplog.messages
