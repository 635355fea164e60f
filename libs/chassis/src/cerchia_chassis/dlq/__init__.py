"""Dead-letter topics: what is parked there, why, and putting it back once the cause is fixed.

``python -m cerchia_chassis.dlq list`` shows each ``<topic>.dlq`` with its record count, how many
are not replayed yet and when the oldest was written; ``peek <topic>`` prints the records decoded
(CloudEvent type, id, subject) with their ``dlq-*`` error headers; ``replay <topic>`` republishes
them onto ``<topic>`` (``--dry-run`` only says what it would do; ``--type`` and ``--error`` pick
records). Consumers' inboxes make a replay of an event that was in fact processed harmless.
Progress is committed in the ``dlq-replay`` group, so a replay that stops half-way resumes where
it stopped; a filtered replay commits only up to the first record it skipped in each partition,
so skipped records stay pending for a later replay.
"""

import fnmatch
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import DLQ_SUFFIX

logger = logging.getLogger(__name__)

REPLAY_GROUP = "dlq-replay"
#: Replayed records between two commits of the replay group's progress.
COMMIT_EVERY = 200
DLQ_HEADER_PREFIX = "dlq-"


@dataclass(frozen=True)
class DeadLetter:
    """One record of a dead-letter topic, decoded as far as it goes."""

    partition: int
    offset: int
    written_at: str
    key: str | None
    type: str | None
    id: str | None
    subject: str | None
    errors: dict[str, str]
    replayed: bool
    value: Any = None

    @classmethod
    def of(cls, record: ConsumerRecord[Any, Any], *, replayed: bool) -> "DeadLetter":
        """Decode ``record``: a CloudEvent when its value is one, else its text."""
        headers = {k: v.decode(errors="replace") for k, v in record.headers or ()}
        raw = record.value or b""
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw.decode(errors="replace")
        event = value if isinstance(value, dict) else {}
        return cls(
            partition=record.partition,
            offset=record.offset,
            written_at=_time(record.timestamp),
            key=record.key.decode(errors="replace") if record.key is not None else None,
            type=_text(event.get("type")),
            id=_text(event.get("id")),
            subject=_text(event.get("subject")),
            errors={k: v for k, v in headers.items() if k.startswith(DLQ_HEADER_PREFIX)},
            replayed=replayed,
            value=value,
        )


@dataclass(frozen=True)
class Selection:
    """Which records a command acts on: CloudEvent types (shell patterns such as
    ``cerchia.membership.*``) and a text in the error's type or message (any case)."""

    types: Sequence[str] = ()
    error: str | None = None

    def __bool__(self) -> bool:
        return bool(self.types) or self.error is not None

    def matches(self, letter: DeadLetter) -> bool:
        """Whether ``letter`` is selected."""
        if self.types and not any(fnmatch.fnmatchcase(letter.type or "", t) for t in self.types):
            return False
        if self.error is not None:
            found = " ".join(
                letter.errors.get(h, "") for h in ("dlq-error-type", "dlq-error-message")
            )
            return self.error.lower() in found.lower()
        return True


@dataclass
class DlqSummary:
    """A dead-letter topic at a glance."""

    topic: str
    records: int
    pending: int
    oldest: str | None
    partitions: int = 0


@dataclass
class ReplayOutcome:
    """What a replay did (or, dry, would do)."""

    replayed: list[DeadLetter] = field(default_factory=list)
    skipped: int = 0
    dry_run: bool = False


def _time(timestamp_ms: int) -> str:
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC).isoformat(timespec="milliseconds")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def dlq_of(topic: str) -> str:
    """``topic``'s dead-letter topic (a DLQ's own name is accepted as it is)."""
    return topic if topic.endswith(DLQ_SUFFIX) else topic + DLQ_SUFFIX


async def partitions_of(access: KafkaAccess, topic: str) -> list[int]:
    """The partition numbers of ``topic`` (none when the cluster does not know it)."""
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if description.get("error_code"):
        return []
    return sorted(p["partition"] for p in description["partitions"])


class _Reader:
    """A consumer assigned to every partition of one DLQ, reading within the ``dlq-replay``
    group's view (it never joins the group; it commits only when told)."""

    def __init__(self, access: KafkaAccess, dlq: str, group_id: str) -> None:
        self.dlq = dlq
        self.consumer = AIOKafkaConsumer(
            **access.client_kwargs(),
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self.partitions: list[TopicPartition] = []
        self.begin: dict[TopicPartition, int] = {}
        self.end: dict[TopicPartition, int] = {}
        self.committed: dict[TopicPartition, int] = {}

    async def start(self, access: KafkaAccess) -> None:
        await self.consumer.start()
        numbers = await partitions_of(access, self.dlq)
        self.partitions = [TopicPartition(self.dlq, p) for p in numbers]
        if not self.partitions:
            return
        self.consumer.assign(self.partitions)
        self.begin = await self.consumer.beginning_offsets(self.partitions)
        self.end = await self.consumer.end_offsets(self.partitions)
        for tp in self.partitions:
            committed = await self.consumer.committed(tp)
            self.committed[tp] = max(self.begin[tp], committed or 0)

    async def records(self, *, pending_only: bool) -> AsyncIterator[ConsumerRecord[Any, Any]]:
        """The records up to the end offsets seen at start, partition by partition."""
        for tp in self.partitions:
            start = self.committed[tp] if pending_only else self.begin[tp]
            if start >= self.end[tp]:
                continue
            self.consumer.seek(tp, start)
            while await self.consumer.position(tp) < self.end[tp]:
                batch = await self.consumer.getmany(tp, timeout_ms=1000)
                for record in batch.get(tp, ()):
                    if record.offset < self.end[tp]:
                        yield record

    async def stop(self) -> None:
        await self.consumer.stop()


async def list_dlqs(
    access: KafkaAccess, *, group_id: str = REPLAY_GROUP, everything: bool = False
) -> list[DlqSummary]:
    """Every dead-letter topic holding records (``everything``: empty ones too)."""
    admin = AIOKafkaAdminClient(**access.client_kwargs())
    await admin.start()
    try:
        names = sorted(t for t in await admin.list_topics() if t.endswith(DLQ_SUFFIX))
    finally:
        await admin.close()
    summaries = []
    for name in names:
        reader = _Reader(access, name, group_id)
        try:
            await reader.start(access)
            oldest: int | None = None
            for tp in reader.partitions:
                if reader.end[tp] > reader.begin[tp]:
                    reader.consumer.seek(tp, reader.begin[tp])
                    first = await reader.consumer.getone(tp)
                    oldest = first.timestamp if oldest is None else min(oldest, first.timestamp)
            summary = DlqSummary(
                topic=name,
                records=sum(reader.end[tp] - reader.begin[tp] for tp in reader.partitions),
                pending=sum(reader.end[tp] - reader.committed[tp] for tp in reader.partitions),
                oldest=_time(oldest) if oldest is not None else None,
                partitions=len(reader.partitions),
            )
        finally:
            await reader.stop()
        if everything or summary.records:
            summaries.append(summary)
    return summaries


async def peek(
    access: KafkaAccess,
    topic: str,
    *,
    limit: int = 20,
    select: Selection = Selection(),
    pending_only: bool = False,
    group_id: str = REPLAY_GROUP,
) -> list[DeadLetter]:
    """Up to ``limit`` selected records of ``topic``'s DLQ, oldest first in each partition."""
    reader = _Reader(access, dlq_of(topic), group_id)
    found: list[DeadLetter] = []
    try:
        await reader.start(access)
        async for record in reader.records(pending_only=pending_only):
            tp = TopicPartition(record.topic, record.partition)
            letter = DeadLetter.of(record, replayed=record.offset < reader.committed[tp])
            if select.matches(letter):
                found.append(letter)
                if len(found) >= limit:
                    break
    finally:
        await reader.stop()
    return found


async def replay(
    access: KafkaAccess,
    topic: str,
    *,
    group_id: str = REPLAY_GROUP,
    select: Selection = Selection(),
    dry_run: bool = False,
) -> ReplayOutcome:
    """Republish the selected records of ``<topic>.dlq`` not replayed yet onto ``topic``
    (without their ``dlq-*`` headers, with ``dlq-replayed-from``), and commit the progress.
    ``dry_run`` reads the same records and publishes and commits nothing."""
    dlq = dlq_of(topic)
    target = dlq.removesuffix(DLQ_SUFFIX)
    reader = _Reader(access, dlq, group_id)
    producer = (
        None
        if dry_run
        else AIOKafkaProducer(**access.client_kwargs(), acks="all", enable_idempotence=True)
    )
    outcome = ReplayOutcome(dry_run=dry_run)
    done: dict[TopicPartition, int] = {}
    held: set[TopicPartition] = set()  # partitions where a record was skipped
    try:
        await reader.start(access)
        if producer is not None:
            await producer.start()
        async for record in reader.records(pending_only=True):
            tp = TopicPartition(record.topic, record.partition)
            letter = DeadLetter.of(record, replayed=False)
            if not select.matches(letter):
                outcome.skipped += 1
                held.add(tp)
                continue
            outcome.replayed.append(letter)
            if producer is not None:
                headers = [
                    (k, v) for k, v in record.headers or () if not k.startswith(DLQ_HEADER_PREFIX)
                ]
                headers.append(("dlq-replayed-from", f"{dlq}:{record.offset}".encode()))
                await producer.send_and_wait(
                    target, value=record.value, key=record.key, headers=headers
                )
            if tp not in held:
                done[tp] = record.offset + 1
            if done and not dry_run and len(outcome.replayed) % COMMIT_EVERY == 0:
                await reader.consumer.commit(done)  # a replay that stops resumes near here
        if done and not dry_run:
            await reader.consumer.commit(done)
    finally:
        if producer is not None:
            await producer.stop()
        await reader.stop()
    logger.info(
        "%s %d records from %s to %s (%d not selected)",
        "would replay" if dry_run else "replayed",
        len(outcome.replayed),
        dlq,
        target,
        outcome.skipped,
    )
    return outcome
