"""A service's part of a personal-data export: read what it keeps about a person, publish it.

Each service declares the files of its part (``ExportFile``: a collection, the query that finds
a person's records, the fields never given out) and subscribes ``contribute`` to
``membership.exports.v1``. The part goes out through the outbox in small slices, one event per
file or per slice of a large file, so no record on Kafka grows large.
"""

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.inbox import Inbox
from cerchia_chassis.mongo import Document, Session
from cerchia_chassis.outbox import Outbox
from cerchia_contracts.envelope import CloudEvent
from cerchia_contracts.events.exports import ExportPart, ExportRequestedV1

#: A slice's records stay under this many bytes of JSON (well under Kafka's 1 MB default).
SLICE_BYTES = 128 * 1024

#: Fields that are never exported, whatever the collection: secrets, hashes, internal plumbing.
ALWAYS_OMITTED = frozenset({"secret", "auth", "p256dh", "token", "token_hash", "trace_headers"})


@dataclass(frozen=True)
class ExportFile:
    """One file of a service's part: ``collection``'s records that ``query(user_id)`` finds."""

    name: str
    description: str
    collection: str
    query: Callable[[str], Document]
    #: Fields of the stored records left out (secrets, other people's data, plumbing).
    omit: frozenset[str] = frozenset()
    #: Rewrites a found document for the person (e.g. keeps only their own reactions).
    shape: Callable[[Document, str], Document] | None = None
    #: Records whose ``field`` names one of the ids found by ``within`` (collection, query):
    #: e.g. the messages of the conversations a person takes part in.
    within: "Within | None" = None
    limit: int = 10_000


@dataclass(frozen=True)
class Within:
    """The ids of ``collection``'s documents that ``query(user_id)`` finds, matched on
    ``field``."""

    collection: str
    query: Callable[[str], Document]
    field: str


def json_safe(value: Any) -> Any:
    """A stored value as plain JSON: dates in ISO 8601, ids and other objects as text."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def record(doc: Document, omit: frozenset[str]) -> dict[str, Any]:
    """One stored document as an exported record: ``_id`` as ``id``, omitted fields left out."""
    left_out = omit | ALWAYS_OMITTED
    out = {("id" if k == "_id" else k): v for k, v in doc.items() if k not in left_out}
    safe: dict[str, Any] = json_safe(out)
    return safe


@dataclass(frozen=True)
class Slice:
    """Records of one file that travel in one event."""

    file: str
    description: str
    items: tuple[dict[str, Any], ...]


def slices(
    files: Sequence[tuple[str, str, Sequence[dict[str, Any]]]], *, max_bytes: int = SLICE_BYTES
) -> list[Slice]:
    """Cut ``(name, description, records)`` files into slices of at most ``max_bytes`` of JSON
    (a single larger record travels alone); every file has at least one slice, empty or not, so
    the archive shows that nothing is kept rather than leaving the file out."""
    out: list[Slice] = []
    for name, description, records in files:
        current: list[dict[str, Any]] = []
        size = 0
        for item in records:
            item_size = len(json.dumps(item, separators=(",", ":")))
            if current and size + item_size > max_bytes:
                out.append(Slice(name, description, tuple(current)))
                current, size = [], 0
            current.append(item)
            size += item_size
        if current or not records:
            out.append(Slice(name, description, tuple(current)))
    return out


async def collect(
    db: AsyncDatabase[Document], files: Sequence[ExportFile], user_id: str, session: Session
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Every file's records about ``user_id``, read in the caller's session."""
    collected = []
    for spec in files:
        query = spec.query(user_id)
        if spec.within is not None:
            scope = spec.within
            ids = await db[scope.collection].distinct("_id", scope.query(user_id), session=session)
            query = (
                {"$and": [query, {scope.field: {"$in": ids}}]}
                if query
                else {scope.field: {"$in": ids}}
            )
        cursor = db[spec.collection].find(query, session=session).limit(spec.limit)
        docs = [
            record(spec.shape(doc, user_id) if spec.shape else doc, spec.omit)
            async for doc in cursor
        ]
        collected.append((spec.name, spec.description, docs))
    return collected


async def contribute(
    event: ExportRequestedV1,
    *,
    service: str,
    files: Sequence[ExportFile],
    part_event: type[CloudEvent[ExportPart]],
    db: AsyncDatabase[Document],
    inbox: Inbox,
    outbox: Outbox,
) -> bool:
    """Publish this service's part of the requested export once; True if it was new."""
    data = event.data

    async def effect(session: Session) -> None:
        found = await collect(db, files, data.user_id, session)
        cut = slices(found)
        parts = [
            part_event.new(
                subject=data.user_id,
                data=ExportPart(
                    export_id=data.export_id,
                    user_id=data.user_id,
                    service=service,
                    file=piece.file,
                    description=piece.description,
                    sequence=n,
                    parts=len(cut),
                    items=piece.items,
                ),
            )
            for n, piece in enumerate(cut)
        ]
        await outbox.add(session, *parts)

    applied = await inbox.process_once(
        consumer=f"{service}.exports", event_id=event.id, effect=effect
    )
    if applied:
        outbox.committed()
    return applied


class ExportContributor:
    """A service's part of personal-data exports, built in its composition root:
    ``contribute`` is what its subscriber to ``membership.exports.v1`` calls."""

    def __init__(
        self,
        *,
        service: str,
        files: Sequence[ExportFile],
        part_event: type[CloudEvent[ExportPart]],
        db: AsyncDatabase[Document],
        inbox: Inbox,
        outbox: Outbox,
    ) -> None:
        self._service = service
        self._files = tuple(files)
        self._part_event = part_event
        self._db = db
        self._inbox = inbox
        self._outbox = outbox

    async def contribute(self, event: ExportRequestedV1) -> bool:
        """Publish this service's part of the requested export once; True if it was new."""
        return await contribute(
            event,
            service=self._service,
            files=self._files,
            part_event=self._part_event,
            db=self._db,
            inbox=self._inbox,
            outbox=self._outbox,
        )
