"""The DLQ tool: decoding and selecting dead letters, its command line, and list/peek/replay on a
real Kafka cluster."""

import asyncio
import json
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from cerchia_chassis.dlq import (
    REPLAY_GROUP,
    DeadLetter,
    Selection,
    dlq_of,
    list_dlqs,
    peek,
    replay,
)
from cerchia_chassis.dlq.cli import _arguments, main
from cerchia_chassis.kafka_access import KafkaAccess, describe_default
from cerchia_contracts.events.membership import UserRegistered, UserRegisteredV1
from cerchia_devstack.kafka import KafkaCluster


def record(value: bytes, headers: dict[str, str], offset: int = 7) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(
        topic="t.v1.dlq",
        partition=1,
        offset=offset,
        timestamp=1_764_000_000_000,
        timestamp_type=0,
        key=b"k",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value),
        headers=[(k, v.encode()) for k, v in headers.items()],
    )


def registered(user_id: str) -> UserRegisteredV1:
    return UserRegisteredV1.new(
        subject=user_id,
        data=UserRegistered(
            user_id=user_id, email=f"{user_id}@example.org", display_name=user_id, locale="it"
        ),
    )


ERROR = {
    "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "dlq-original-topic": "t.v1",
    "dlq-error-type": "ConnectionError",
    "dlq-error-message": "downstream unavailable",
    "dlq-attempts": "4",
}


@pytest.mark.unit
def test_a_dead_letter_is_decoded_with_its_error_headers_only() -> None:
    event = registered("u-1")
    letter = DeadLetter.of(record(event.model_dump_json().encode(), ERROR), replayed=False)
    assert (letter.type, letter.id, letter.subject) == (event.type, event.id, "u-1")
    assert letter.errors == {k: v for k, v in ERROR.items() if k.startswith("dlq-")}
    assert (letter.partition, letter.offset, letter.key) == (1, 7, "k")
    assert letter.written_at.startswith("2025-11-24T")
    garbage = DeadLetter.of(record(b"\xff not json", ERROR), replayed=True)
    assert garbage.type is None
    assert isinstance(garbage.value, str)
    assert garbage.replayed


@pytest.mark.unit
def test_selection_by_type_pattern_and_error_text() -> None:
    letter = DeadLetter.of(
        record(registered("u").model_dump_json().encode(), ERROR), replayed=False
    )
    assert Selection().matches(letter)
    assert not Selection()
    assert Selection(types=["cerchia.membership.*"]).matches(letter)
    assert Selection(types=["cerchia.content.*", letter.type or ""]).matches(letter)
    assert not Selection(types=["cerchia.content.*"]).matches(letter)
    assert Selection(error="connectionerror").matches(letter)
    assert Selection(error="UNAVAILABLE").matches(letter)
    assert not Selection(error="ValidationError").matches(letter)
    assert not Selection(types=["cerchia.membership.*"], error="Validation").matches(letter)


@pytest.mark.unit
def test_the_command_line_parses_each_command() -> None:
    env: dict[str, str] = {}
    args = _arguments(["list"], env)
    assert (args.command, args.all, args.group) == ("list", False, REPLAY_GROUP)
    args = _arguments(["peek", "t.v1", "--limit", "5", "--type", "a.*", "--type", "b"], env)
    assert (args.topic, args.limit, args.type, args.error) == ("t.v1", 5, ["a.*", "b"], None)
    args = _arguments(["replay", "t.v1", "--dry-run", "--error", "Timeout"], env)
    assert (args.command, args.dry_run, args.error, args.type) == ("replay", True, "Timeout", [])
    with pytest.raises(SystemExit):
        _arguments([], env)
    with pytest.raises(SystemExit):
        _arguments(["replay"], env)
    assert dlq_of("t.v1") == dlq_of("t.v1.dlq") == "t.v1.dlq"


@pytest.mark.unit
def test_help_names_the_connection_used_by_default(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "admin.properties"
    config.write_text(
        KafkaAccess(
            bootstrap="10.0.0.5:19092", username="admin", password="s3cret"
        ).java_properties(),
        encoding="utf-8",
    )
    env = {"CERCHIA_KAFKA_CONFIG": str(config)}
    assert describe_default(env) == f"10.0.0.5:19092 SASL_SSL as admin (from {config})"
    assert "no credentials" in describe_default({})
    with pytest.raises(SystemExit):
        _arguments(["replay", "--help"], env)
    shown = " ".join(capsys.readouterr().out.split())
    assert "10.0.0.5:19092 SASL_SSL as admin" in shown
    assert "s3cret" not in shown


@pytest.mark.unit
def test_an_unreachable_cluster_is_a_clear_error_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = {
        "CERCHIA_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
        "CERCHIA_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT",
    }
    assert main(["list", "--client-config", "/nonexistent/admin.properties"], env) == 1
    assert "error: cannot read the Kafka client configuration" in capsys.readouterr().err
    assert main(["peek", "t.v1"], env) == 1
    assert capsys.readouterr().err.startswith("error: ")


# --- on a real cluster -----------------------------------------------------------------------


async def new_topic(access: KafkaAccess) -> str:
    name = f"test.{uuid.uuid4().hex[:10]}.v1"
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, 2, 1) for n in (name, name + ".dlq")])
    finally:
        await admin.close()
    return name


async def dead_letter(access: KafkaAccess, topic: str, value: bytes, error_type: str) -> None:
    producer = AIOKafkaProducer(**access.client_kwargs())
    await producer.start()
    try:
        headers = {**ERROR, "dlq-original-topic": topic, "dlq-error-type": error_type}
        await producer.send_and_wait(
            topic + ".dlq",
            value=value,
            key=b"k",
            partition=0,
            headers=[(k, v.encode()) for k, v in headers.items()],
        )
    finally:
        await producer.stop()


async def read_all(access: KafkaAccess, topic: str) -> list[Any]:
    consumer = AIOKafkaConsumer(**access.client_kwargs(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in (0, 1)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records: list[Any] = []
        async with asyncio.timeout(20):
            while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def committed(access: KafkaAccess, group: str, topic: str) -> int | None:
    consumer = AIOKafkaConsumer(**access.client_kwargs(), group_id=group)
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(topic, 0))
    finally:
        await consumer.stop()


@pytest.mark.integration
async def test_list_peek_dry_run_and_filtered_replay_on_a_real_dlq(kafka: KafkaCluster) -> None:
    access = kafka.admin
    topic = await new_topic(access)
    group = f"replay-{uuid.uuid4().hex[:8]}"
    first, second = registered("u-1"), registered("u-2")
    await dead_letter(access, topic, b"not json", "ValidationError")
    await dead_letter(access, topic, first.model_dump_json().encode(), "ConnectionError")
    await dead_letter(access, topic, second.model_dump_json().encode(), "ConnectionError")

    summaries = {s.topic: s for s in await list_dlqs(access, group_id=group)}
    mine = summaries[topic + ".dlq"]
    assert (mine.records, mine.pending, mine.partitions) == (3, 3, 2)
    assert mine.oldest is not None
    assert all(s.records > 0 for s in summaries.values())  # empty DLQs only with everything=True
    assert topic + ".dlq" in {s.topic for s in await list_dlqs(access, everything=True)}

    letters = await peek(access, topic, group_id=group)
    assert [(x.type, x.errors["dlq-error-type"]) for x in letters] == [
        (None, "ValidationError"),
        (first.type, "ConnectionError"),
        (first.type, "ConnectionError"),
    ]
    assert [x.id for x in letters[1:]] == [first.id, second.id]
    assert len(await peek(access, topic, limit=1, group_id=group)) == 1

    dry = await replay(
        access, topic, group_id=group, select=Selection(error="connection"), dry_run=True
    )
    assert [x.id for x in dry.replayed] == [first.id, second.id]
    assert dry.skipped == 1
    assert await read_all(access, topic) == []  # nothing published
    assert await committed(access, group, topic + ".dlq") is None  # nothing committed
    assert len(await read_all(access, topic + ".dlq")) == 3

    outcome = await replay(access, topic, group_id=group, select=Selection(error="connection"))
    assert [x.id for x in outcome.replayed] == [first.id, second.id]
    moved = await read_all(access, topic)
    assert [json.loads(r.value)["id"] for r in moved] == [first.id, second.id]
    headers = dict(moved[0].headers)
    assert headers["dlq-replayed-from"] == f"{topic}.dlq:1".encode()
    assert not [k for k in headers if k.startswith("dlq-") and k != "dlq-replayed-from"]
    assert headers["traceparent"] == ERROR["traceparent"].encode()  # the trace goes on
    # the record skipped at offset 0 holds the group there: it is still pending
    assert await committed(access, group, topic + ".dlq") is None
    (pending,) = await peek(
        access, topic, pending_only=True, select=Selection(error="valid"), group_id=group
    )
    assert pending.offset == 0

    everything = await replay(access, topic, group_id=group)
    assert (
        len(everything.replayed) == 3
    )  # the fixed ones again (harmless: inboxes), and the skipped
    assert await committed(access, group, topic + ".dlq") == 3
    after = {s.topic: s for s in await list_dlqs(access, group_id=group)}[topic + ".dlq"]
    assert (after.records, after.pending) == (3, 0)
    assert [x.replayed for x in await peek(access, topic, group_id=group)] == [True] * 3
    assert (await replay(access, topic, group_id=group)).replayed == []


@pytest.mark.integration
async def test_the_command_line_as_an_operator_runs_it(
    kafka: KafkaCluster, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    access = kafka.admin
    topic = await new_topic(access)
    event = registered("u-3")
    await dead_letter(access, topic, event.model_dump_json().encode(), "TimeoutError")
    config = tmp_path / "operator.properties"
    config.write_text(access.java_properties(), encoding="utf-8")
    env = {"CERCHIA_KAFKA_CONFIG": str(config)}
    group = f"replay-{uuid.uuid4().hex[:8]}"

    def run(*argv: str) -> str:
        capsys.readouterr()
        code = main([*argv, "--group", group], env)
        out: str = capsys.readouterr().out
        assert code == 0, out
        return out

    listed = await asyncio.to_thread(run, "list", "--json")
    row = next(json.loads(line) for line in listed.splitlines() if topic in line)
    assert (row["records"], row["pending"]) == (1, 1)
    peeked = await asyncio.to_thread(run, "peek", topic)
    assert event.type in peeked
    assert "TimeoutError: downstream unavailable (attempts 4" in peeked
    dry = await asyncio.to_thread(run, "replay", topic, "--dry-run")
    assert dry.splitlines()[-1] == f"would replay 1 messages from {topic}.dlq"
    assert await read_all(access, topic) == []
    done = await asyncio.to_thread(run, "replay", topic, "--type", "cerchia.membership.*")
    assert done.splitlines()[-1] == f"replayed 1 messages from {topic}.dlq"
    assert len(await read_all(access, topic)) == 1
