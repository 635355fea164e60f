"""Fault test: poison messages mixed into good traffic are dead-lettered, the rest flows, and a
DLQ replay re-drives the fixed ones, which are then processed once.

The poison is of three kinds: bytes that are not JSON, JSON that is no event of the topic, and
events the handler fails on. The failure is real: a stale feed item holding the key one of the
event's deliveries needs makes notifications' transaction fail on the unique index, on every
attempt; removing it is the "fix" before the replay.
"""

import asyncio
import itertools
import json
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId

from cerchia_bench.seeding import CONTENT_TYPE
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import CONTENT_DISCUSSIONS
from cerchia_contracts.events import membership as m
from cerchia_devstack.kafka import KafkaCluster
from tests.faults import (
    PrivateStack,
    Rig,
    dead_letters,
    expected_deliveries,
    open_rig,
    thread_created,
)

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.timeout(240), pytest.mark.alone]


@pytest.fixture(scope="module")
def kafka(private_stack: PrivateStack) -> KafkaCluster:
    """This module's own Kafka (see ``private_stack``), not the session's."""
    return private_stack.cluster


@pytest.fixture(scope="module")
def mongo_uri(private_stack: PrivateStack) -> str:
    """This module's own database server."""
    return private_stack.mongo_uri


TOPIC = CONTENT_DISCUSSIONS.name
MAX_ATTEMPTS = 3
#: Longest the partition may go without progress behind poison (retries included).
STALL_LIMIT_S = 5.0


def malformed(marker: str) -> list[bytes]:
    """Payloads that are not JSON at all."""
    return [
        f'{{"specversion": "1.0", "id": "{marker}", "type": "cerchia.content.thr'.encode(),
        b"\xff\xfe" + marker.encode() + b"\x00\x80",
        f"hello {marker}".encode(),
    ]


def schema_invalid(rig: Rig, marker: str) -> list[bytes]:
    """JSON that is not an event of this topic: a field missing, a wrong type, a foreign event,
    an unknown event type, not an object."""
    missing = json.loads(thread_created(rig, 0).model_dump_json())
    del missing["data"]["thread_id"]
    retyped = json.loads(thread_created(rig, 0).model_dump_json())
    retyped["data"]["thread_title"] = {"marker": marker}
    foreign = m.MemberLeftV1.new(
        subject=rig.community.id,
        data=m.MemberLeft(community_id=rig.community.id, user_id=marker),
    )
    unknown = {**json.loads(thread_created(rig, 0).model_dump_json())}
    unknown["type"] = "cerchia.content.thread_exploded.v1"
    return [
        json.dumps(missing).encode(),
        json.dumps(retyped).encode(),
        foreign.model_dump_json().encode(),
        json.dumps(unknown).encode(),
        json.dumps([marker, 1, None]).encode(),
    ]


def stale_feed_item(key: str) -> dict[str, Any]:
    """A left-over feed item holding ``key`` (of nobody the community knows)."""
    return {
        "_id": ObjectId(),
        "key": key,
        "user_id": "stale",
        "event_id": "stale",
        "kind": "thread_created",
        "category": "discussions",
        "title": "stale",
        "body": "stale",
        "link": "/",
        "community_id": None,
        "actor_id": None,
        "created_at": datetime.now(UTC),
        "read_at": None,
    }


async def replay_dead_letters(access: KafkaAccess, group: str, workdir: Path) -> int:
    """Run the replay command, as an operator does; return how many it re-drove."""
    config = workdir / "operator.properties"
    config.write_text(access.java_properties(), encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cerchia_chassis.dlq",
        "replay",
        TOPIC,
        "--client-config",
        str(config),
        "--group",
        group,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    text = output.decode()
    assert process.returncode == 0, text
    last = text.strip().splitlines()[-1]
    assert last.startswith("replayed "), text
    return int(last.split()[1])


async def test_poison_is_dead_lettered_good_traffic_flows_and_a_replay_redrives_the_fixed(
    kafka: KafkaCluster, mongo_uri: str, tmp_path: Path
) -> None:
    env = {"NOTIFICATIONS_CONSUMER_MAX_ATTEMPTS": str(MAX_ATTEMPTS)}
    async with open_rig(kafka, mongo_uri, tmp_path, ["notifications"], size=8, env=env) as rig:
        group = rig.platform.group("notifications")
        notifications = rig.platform.db("notifications")
        marker = uuid.uuid4().hex
        victim = next(
            user
            for user, taste in rig.community.tastes.items()
            if user != rig.author and taste.in_app
        )
        good = [thread_created(rig, n) for n in range(30)]
        failing = [thread_created(rig, 100 + n) for n in range(3)]
        stale = [stale_feed_item(f"{event.id}:{victim}:in_app") for event in failing]
        await notifications["feed"].insert_many(stale)
        unprocessable = malformed(marker) + schema_invalid(rig, marker)

        # One community, one key: everything lands on one partition, each poison message in
        # front of good ones, the worst case for a stall.
        bad: list[bytes] = [*unprocessable, *(e.model_dump_json().encode() for e in failing)]
        traffic: list[tuple[bytes, str | None]] = [
            (e.model_dump_json().encode(), e.id) for e in good
        ]
        for i, payload in enumerate(bad):
            traffic.insert(1 + i * 3, (payload, None))
        acked: dict[str, float] = {}
        for payload, event_id in traffic:
            await rig.producer.send_and_wait(
                TOPIC, value=payload, key=rig.community.id.encode(), headers=CONTENT_TYPE
            )
            if event_id is not None:
                acked[event_id] = time.time()
            await asyncio.sleep(0.05)

        expected = set().union(
            *(expected_deliveries(rig.community, e.id, rig.author) for e in good)
        )
        verdict = await rig.verdict(expected, within=60)
        print(f"good traffic beside {len(bad)} poison messages: {verdict.summary()}")
        assert not verdict.missing, verdict.summary()
        assert not verdict.unexpected, verdict.summary()
        assert not verdict.not_sent, verdict.summary()
        assert verdict.raw_duplicates == 0, verdict.summary()

        inbox = notifications["inbox"]
        processed = {
            doc["event_id"]: doc["processed_at"]
            async for doc in inbox.find({"event_id": {"$in": [e.id for e in good]}})
        }
        # Stalled = no progress: the longest time the partition went without a good event
        # processed (from the first one sent), whatever poison sat in between.
        times = sorted(at.replace(tzinfo=UTC).timestamp() for at in processed.values())
        assert len(times) == len(good)
        gaps = [b - a for a, b in itertools.pairwise([min(acked.values()), *times])]
        worst = max(gaps)
        print(f"longest stretch without progress on the partition: {worst:.2f}s")
        assert worst <= STALL_LIMIT_S, sorted(gaps)[-5:]

        # Every bad message is parked once, with why, where from and after how many attempts.
        parked = await _wait_parked(kafka.admin, group, bad, copies=1)
        for payload in bad:
            (record,) = parked[payload]
            headers = {k: v.decode() for k, v in record.headers}
            assert record.key == rig.community.id.encode()
            assert headers["dlq-original-topic"] == TOPIC
            assert headers["dlq-consumer-group"] == group
            assert int(headers["dlq-original-offset"]) >= 0
            assert headers["dlq-error-message"]
            assert headers["dlq-failed-at"]
            assert headers["content-type"] == CONTENT_TYPE[0][1].decode()
            if payload in unprocessable:
                assert headers["dlq-error-type"] == "ValidationError", headers
                assert headers["dlq-attempts"] == "0", headers
            else:
                assert headers["dlq-error-type"] in {"BulkWriteError", "DuplicateKeyError"}
                assert headers["dlq-attempts"] == str(MAX_ATTEMPTS), headers
                assert "duplicate key" in headers["dlq-error-message"].lower(), headers
        failing_ids = [e.id for e in failing]
        assert await inbox.count_documents({"event_id": {"$in": failing_ids}}) == 0

        # The cause is removed; the operator replays the dead letters.
        await notifications["feed"].delete_many({"_id": {"$in": [doc["_id"] for doc in stale]}})
        replayed = await replay_dead_letters(kafka.admin, f"dlq-replay-{marker}", tmp_path)
        assert replayed >= len(bad)

        expected |= set().union(
            *(expected_deliveries(rig.community, e.id, rig.author) for e in failing)
        )
        verdict = await rig.verdict(expected, within=60)
        print(f"after the replay: {verdict.summary()}")
        assert not verdict.missing, verdict.summary()
        assert not verdict.unexpected, verdict.summary()
        assert not verdict.not_sent, verdict.summary()
        assert verdict.raw_duplicates == 0, verdict.summary()
        for event_id in failing_ids:
            assert await inbox.count_documents({"event_id": event_id}) == 1
        # What cannot be fixed is parked again, not lost; what was fixed is not parked again.
        parked = await _wait_parked(kafka.admin, group, unprocessable, copies=2)
        for payload in unprocessable:
            replayed_copy = dict(parked[payload][1].headers)
            assert replayed_copy["dlq-replayed-from"].startswith(f"{TOPIC}.dlq:".encode())
        final = await dead_letters(kafka.admin, TOPIC, group)
        for event in failing:
            assert [r.value for r in final].count(event.model_dump_json().encode()) == 1


async def _wait_parked(
    access: KafkaAccess, group: str, payloads: list[bytes], *, copies: int, within: float = 30.0
) -> dict[bytes, list[Any]]:
    """The group's dead letters of these payloads, once each has ``copies`` of them."""
    deadline = time.monotonic() + within
    while True:
        records = await dead_letters(access, TOPIC, group)
        found: dict[bytes, list[Any]] = {payload: [] for payload in payloads}
        for record in records:
            if record.value in found:
                found[record.value].append(record)
        short = {p[:40]: len(found[p]) for p in payloads if len(found[p]) < copies}
        if not short:
            return found
        assert time.monotonic() < deadline, f"not dead-lettered {copies}x: {short}"
        await asyncio.sleep(0.5)
