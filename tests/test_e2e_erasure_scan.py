"""After an erasure, nothing the stack stores names the person: no MongoDB document, no Kafka
record.

Ada carries one random marker (``mk`` and ten hex digits) in everything that is hers alone: her
email address, display name, handle and profile, a direct message she sends Bo, the note of an
introduction she asks of him (he accepts it), and the personal-data export she then takes, so
the export-part topics carry her data too. She erases her account. Once content, events and
notifications have each applied her ``user_erased`` event (their inboxes record it), the test
looks for the marker, case-insensitively, in

- every MongoDB database of the server but ``admin``, ``local`` and ``config``: every document
  of every collection, as Extended JSON (``bson.json_util``), and any binary field as text;
- every Kafka topic, ``.dlq`` and internal topics included, read from the beginning to its
  current end as the operators' super user: each record's key, value and header names and
  values;

and fails listing every place it was found, with the event type and the fields that hold it
when the text is JSON (``data.display_name``; ``payload>data.note`` inside an outbox record).

The marker is kept out of what the policy keeps, anonymised, after an erasure (thread, reply,
resource, course and recap texts, community names: docs/personal-data.md), so every hit is a
leak: in MongoDB something the erasure missed, on Kafka a personal field published in clear,
which only crypto-shredding can make unreadable once the person is gone.
"""

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from bson import json_util
from pymongo import AsyncMongoClient

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import PERSON_KEY_TOPICS
from cerchia_devstack.kafka import KafkaCluster
from tests.authz_world import community_body, ok
from tests.platform import PASSWORD, Member, Platform, eventually, sign_up, unique
from tests.test_e2e_export import People, admit_as

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

#: The server's own databases: users, replication and sharding state, no application data.
SYSTEM_DATABASES = frozenset({"admin", "local", "config"})
ERASED = "cerchia.membership.user_erased.v1"
#: The services that forget a person when they consume the erasure event.
FORGETTING = ("content", "events", "notifications")
#: How long the databases may take to be clean once every service has applied the erasure
#: (follow-up events, such as a community handed over, are consumed after it).
SETTLE_S = 10.0
#: Characters shown on each side of the marker in a hit.
CONTEXT = 90

Mongo = AsyncMongoClient[dict[str, Any]]


@dataclass(frozen=True)
class Hit:
    """One place holding the marker: ``where`` (``mongo <database>.<collection>`` or
    ``kafka <topic>[p<partition>@<offset>]``), ``what`` (the document's id or the event's
    type), the fields holding it, and the text around it."""

    where: str
    what: str
    fields: tuple[str, ...]
    snippet: str

    def __str__(self) -> str:
        return f"{self.where} {self.what} [{', '.join(self.fields) or '?'}]: {self.snippet}"


@dataclass(frozen=True)
class KafkaScan:
    """What a scan of every topic found, and how much it read."""

    hits: list[Hit]
    topics: int
    records: dict[str, int]


def _json(text: str) -> Any:
    """The JSON ``text`` holds, or None when it is not a JSON object or array."""
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _join(path: str, key: str) -> str:
    return f"{path}{key}" if not path or path.endswith(">") else f"{path}.{key}"


def marked_fields(value: Any, marker: str, path: str = "") -> Iterator[str]:
    """The paths of the fields of ``value`` (decoded JSON or BSON) whose text holds ``marker``
    (lowercase); a string that is itself JSON (an outbox record's payload) is searched inside,
    its fields named after a ``>``."""
    if isinstance(value, dict):
        for key, item in value.items():
            inner = _join(path, str(key))
            if marker in str(key).lower():
                yield f"{inner} (name)"
            yield from marked_fields(item, marker, inner)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from marked_fields(item, marker, f"{path}[{index}]")
    elif isinstance(value, bytes):  # bson.Binary too
        yield from marked_fields(value.decode("utf-8", "replace"), marker, path)
    elif isinstance(value, str) and marker in value.lower():
        nested = _json(value)
        inside = list(marked_fields(nested, marker, f"{path}>")) if nested is not None else []
        yield from inside or [path or "(text)"]


def snippet(text: str, marker: str) -> str:
    """The text around the first occurrence of ``marker`` (or the text's start), on one line."""
    at = max(text.lower().find(marker), 0)
    start, end = max(at - CONTEXT, 0), at + len(marker) + CONTEXT
    shown = text[start:end].replace("\n", " ")
    return ("…" if start else "") + shown + ("…" if end < len(text) else "")


async def scan_mongo(uri: str, marker: str) -> list[Hit]:
    """Every document of every application database that holds ``marker``."""
    client = Mongo(uri)
    hits: list[Hit] = []
    try:
        for name in sorted(await client.list_database_names()):
            if name in SYSTEM_DATABASES:
                continue
            database = client[name]
            for collection in sorted(await database.list_collection_names()):
                async for document in database[collection].find({}):
                    text = json_util.dumps(document)
                    fields = tuple(dict.fromkeys(marked_fields(document, marker)))
                    if fields or marker in text.lower():
                        hits.append(
                            Hit(
                                f"mongo {name}.{collection}",
                                f"_id={json_util.dumps(document.get('_id'))}",
                                fields,
                                snippet(text, marker),
                            )
                        )
    finally:
        await client.close()
    return hits


def _record_hit(record: ConsumerRecord[bytes, bytes], marker: str) -> Hit | None:
    """The hit of one Kafka record: its key, value, header names and header values."""
    parts = [record.key or b"", record.value or b""]
    parts += [name.encode() + b"=" + (raw or b"") for name, raw in record.headers or ()]
    if not any(marker.encode() in part.lower() for part in parts):
        return None  # most records: no decoding
    key = (record.key or b"").decode("utf-8", "replace")
    value = (record.value or b"").decode("utf-8", "replace")
    fields: list[str] = []
    if marker in key.lower():
        fields.append("key")
    event = _json(value)
    what = "(not JSON)" if event is None else "(no type)"
    if isinstance(event, dict):
        what = str(event.get("type", what))
    if event is not None:
        fields += [f"value:{path}" for path in marked_fields(event, marker)]
    elif marker in value.lower():
        fields.append("value")
    texts = [key, value]
    for name, raw in record.headers or ():
        header = (raw or b"").decode("utf-8", "replace")
        if marker in name.lower() or marker in header.lower():
            fields.append(f"header {name}")
            texts.append(f"{name}={header}")
    if not fields:
        return None
    text = next((t for t in texts if marker in t.lower()), value)
    where = f"kafka {record.topic}[p{record.partition}@{record.offset}]"
    return Hit(where, what, tuple(dict.fromkeys(fields)), snippet(text, marker))


async def scan_kafka(access: KafkaAccess, marker: str) -> KafkaScan:
    """Every record of every topic that holds ``marker``, read from the beginning of each
    partition to its end when the scan starts (records appended later are not waited for)."""
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    await admin.start()
    try:
        names = sorted(await admin.list_topics())
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], p["partition"])
        for topic in described
        for p in topic["partitions"]
    ]
    consumer = AIOKafkaConsumer(**access.client_kwargs(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    hits: list[Hit] = []
    records = dict.fromkeys(names, 0)
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        async with asyncio.timeout(180):
            pending = [tp for tp in partitions if await consumer.position(tp) < ends[tp]]
            while pending:
                for tp, batch in (await consumer.getmany(*pending, timeout_ms=1000)).items():
                    for record in batch:
                        if record.offset >= ends[tp]:
                            continue
                        records[tp.topic] += 1
                        if (hit := _record_hit(record, marker)) is not None:
                            hits.append(hit)
                pending = [tp for tp in pending if await consumer.position(tp) < ends[tp]]
    finally:
        await consumer.stop()
    return KafkaScan(hits, len(names), records)


async def key_records(access: KafkaAccess, person_id: str) -> dict[str, list[bytes | None]]:
    """The values of the person-key records of ``person_id``, per key topic, in log order."""
    consumer = AIOKafkaConsumer(**access.client_kwargs(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    found: dict[str, list[bytes | None]] = {t.name: [] for t in PERSON_KEY_TOPICS.values()}
    try:
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(name, n)
            for name in found
            for n in sorted(consumer.partitions_for_topic(name) or ())
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        async with asyncio.timeout(60):
            while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
                for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                    found[tp.topic] += [r.value for r in batch if r.key == person_id.encode()]
    finally:
        await consumer.stop()
    return found


def report(hits: list[Hit]) -> str:
    """The hits, one a line, grouped by collection or topic."""
    return "\n".join(f"  {hit}" for hit in sorted(hits, key=lambda h: h.where.split("[")[0]))


async def _post_when_member(
    client: httpx.AsyncClient, who: Member, path: str, body: Any, *, what: str
) -> dict[str, Any]:
    """Retry a post until the service's projection of memberships lets it through."""
    found: dict[str, Any] = {}

    async def attempt() -> bool:
        response = await client.post(path, json=body, headers=who.auth)
        assert response.status_code in (200, 201, 403, 404), response.text
        if response.status_code in (200, 201):
            found.update(response.json())
        return bool(found)

    await eventually(attempt, what=what, timeout=60)
    return found


async def _kinds(client: httpx.AsyncClient, who: Member) -> set[str]:
    listed = ok(await client.get("/api/v1/notifications", headers=who.auth))
    return {str(item["kind"]) for item in listed["items"]}


async def leave_traces(client: httpx.AsyncClient, people: People, marker: str) -> None:
    """Ada's profile, a message to Bo and an introduction to him, all with the marker, and her
    export, finished; every service has handled them (their notices are in the feeds)."""
    ada, bo = people.ada, people.bo
    await people.call(
        ada,
        "PATCH",
        "/api/v1/profiles/me",
        {
            "display_name": f"Ada {marker}",
            "handle": f"ada_{marker}",
            "headline": f"Headline {marker}",
            "bio": f"Bio {marker}",
            "city": f"City {marker}",
            "skills": [f"skill {marker}"],
            "interests": [f"interest {marker}"],
            "asks": [f"ask {marker}"],
            "offers": [f"offer {marker}"],
            "links": [{"label": f"Site {marker}", "url": f"https://{marker}.example.org/"}],
            "visibility": "platform",
        },
    )
    # Her community (named without the marker, as communities outlive their owner), where Bo
    # is a member: direct messages and introductions need a community in common.
    community = await people.call(
        ada, "POST", "/api/v1/communities", community_body(unique("era"), "public")
    )
    await admit_as(people, community["id"])
    introduction = await people.call(
        ada,
        "POST",
        "/api/v1/introductions",
        {"recipient_id": bo.id, "community_id": community["id"], "note": f"Note {marker}"},
    )
    await people.call(bo, "POST", f"/api/v1/introductions/{introduction['id']}/accept")
    await _post_when_member(
        client,
        ada,
        "/api/v1/conversations",
        {"recipient_id": bo.id, "body": f"Message {marker}"},
        what="content lets Ada write to Bo",
    )

    async def notified() -> bool:
        return {"direct_message", "introduction_requested"} <= await _kinds(client, bo) and (
            "introduction_accepted" in await _kinds(client, ada)
        )

    await eventually(notified, what="notifications told Bo and Ada", timeout=60)

    started = await client.post("/api/v1/me/exports", headers=ada.auth)
    assert started.status_code == 202, started.text
    export_id = started.json()["id"]

    async def exported() -> bool:
        state = ok(await client.get(f"/api/v1/me/exports/{export_id}", headers=ada.auth))
        assert state["status"] in ("pending", "complete"), state
        return bool(state["status"] == "complete")

    await eventually(exported, what="Ada's export is complete", timeout=90)


async def forgotten_everywhere(mongo: Mongo, platform: Platform, user_id: str) -> None:
    """Wait until content, events and notifications have applied the person's erasure."""
    membership = mongo[platform.databases["membership"]]
    erasure: dict[str, Any] = {}

    async def announced() -> bool:
        found = await membership["outbox"].find_one({"type": ERASED, "key": user_id})
        erasure.update(found or {})
        return found is not None

    await eventually(announced, what="membership records the erasure event", timeout=10)

    async def applied() -> bool:
        for name in FORGETTING:
            inbox = mongo[platform.databases[name]]["inbox"]
            if await inbox.find_one({"event_id": erasure["event_id"]}) is None:
                return False
        return True

    await eventually(applied, what=f"{', '.join(FORGETTING)} apply the erasure", timeout=60)


async def test_an_erased_person_leaves_no_trace_in_any_database_or_topic(
    platform: Platform, kafka: KafkaCluster, mongo_uri: str
) -> None:
    marker = unique("mk").lower()
    async with platform.client() as client:
        ada, bo = await asyncio.gather(
            # The address and the first display name carry the marker too.
            sign_up(client, platform.smtp, f"Ada-{marker}"),
            sign_up(client, platform.smtp, "Bo"),
        )
        assert marker in ada.email
        await leave_traces(client, People(client, ada, bo), marker)

        # The scanner finds what is there: Ada's account and her message, before the erasure.
        before = {hit.where for hit in await scan_mongo(mongo_uri, marker)}
        for service, collection in (("membership", "users"), ("content", "messages")):
            assert f"mongo {platform.databases[service]}.{collection}" in before, before

        gone = await client.request(
            "DELETE", "/api/v1/users/me", headers=ada.auth, json={"password": PASSWORD}
        )
        assert gone.status_code == 204, gone.text

    mongo = Mongo(mongo_uri)
    try:
        await forgotten_everywhere(mongo, platform, ada.id)
    finally:
        await mongo.close()
    deadline = time.monotonic() + SETTLE_S
    while (in_mongo := await scan_mongo(mongo_uri, marker)) and time.monotonic() < deadline:
        await asyncio.sleep(1.0)
    on_kafka = await scan_kafka(kafka.admin, marker)

    # The Kafka scan read the topics (the erasure itself is on membership.users.v1).
    assert on_kafka.records.get("membership.users.v1", 0) > 0, on_kafka.records
    # Her keys are destroyed: no service keeps one, and each key topic that announced one ends
    # with its tombstone (compaction then removes the key record itself).
    mongo = Mongo(mongo_uri)
    try:
        for name in ("membership", "content", "events", "notifications"):
            keys = mongo[platform.databases[name]]["person_keys"]
            assert await keys.count_documents({"_id": ada.id}) == 0, name
    finally:
        await mongo.close()
    announced = await key_records(kafka.admin, ada.id)
    assert announced["membership.person-keys.v1"], announced  # her account's key was announced
    for topic, values in announced.items():
        assert not values or values[-1] is None, f"{topic} still ends with her key"
    hits = in_mongo + on_kafka.hits
    assert not hits, (
        f"{len(hits)} places still hold {marker} after Ada's erasure "
        f"({len(in_mongo)} MongoDB documents, {len(on_kafka.hits)} Kafka records of "
        f"{sum(on_kafka.records.values())} in {on_kafka.topics} topics):\n{report(hits)}"
    )
