"""Read-your-writes across services: positions, consistency tokens, and waiting for them.

Every event a producer's outbox writes gets a sequence number per key (``outbox._next_seq``); the
relay sends it in the ``cerchia-sequence`` record header. A consumer that has handled a record
advances its **position** for that topic and key (``Positions``), after the handler's effects
are durable — so a position never claims what is not applied. Records of one key are on one
partition, in order, so the highest sequence handled is the position.

A write's response carries a **consistency token** (``Cerchia-Consistency``): the topic, key and
sequence of every event the request produced, merged with the token the request came with, so
one token stands for a client's recent writes. A client (the web client's session, any app)
echoes it; a service that consumes one of those topics waits, bounded, until its positions reach
the token's before it answers (then ``503 not-yet-consistent`` with ``Retry-After``), so the
client never sees a false refusal after its own write. Entries older than ``TOKEN_TTL`` are
dropped: by then every projection has long applied them, or is broken for other reasons.

The token is opaque to clients: base64url of ``[[topic, key, sequence, unix_seconds], ...]``.
A forged token can only make a request wait its bound and then be refused; it reveals nothing.
"""

import asyncio
import base64
import binascii
import contextvars
import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session

HEADER = "Cerchia-Consistency"
SEQUENCE_HEADER = "cerchia-sequence"
POSITIONS = "consumer_positions"
#: How long an entry stays in a token.
TOKEN_TTL_S = 120.0
#: Most entries a token keeps (the newest): a client's recent writes touch few keys.
TOKEN_MAX_ENTRIES = 32


@dataclass(frozen=True, order=True)
class Position:
    """Event ``sequence`` of ``key`` on ``topic``, produced at ``at`` (unix seconds)."""

    topic: str
    key: str
    sequence: int
    at: float = field(default=0.0, compare=False)


class InvalidToken(ValueError):
    """A consistency token that is not one (it is then ignored, never an error to the client)."""


def encode_token(positions: Iterable[Position]) -> str:
    """The token for these positions (the highest per topic and key, newest last)."""
    merged = merge(positions)
    payload = [[p.topic, p.key, p.sequence, round(p.at, 3)] for p in merged]
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def decode_token(token: str) -> list[Position]:
    """The positions a token names; ``InvalidToken`` if it is malformed."""
    if len(token) > 8192:
        raise InvalidToken("too long")
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(raw, list):
            raise TypeError("not a list")
        positions = []
        for item in raw:
            topic, key, sequence, at = item
            if not (isinstance(topic, str) and isinstance(key, str)):
                raise TypeError("topic and key are strings")
            if not (isinstance(sequence, int) and isinstance(at, int | float)):
                raise TypeError("sequence and time are numbers")
            positions.append(Position(topic, key, sequence, float(at)))
        return positions
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidToken(str(exc)) from exc


def merge(positions: Iterable[Position], *, now: float | None = None) -> list[Position]:
    """The highest position per topic and key, those younger than the TTL, newest last."""
    cutoff = (time.time() if now is None else now) - TOKEN_TTL_S
    best: dict[tuple[str, str], Position] = {}
    for position in positions:
        if position.at < cutoff:
            continue
        held = best.get((position.topic, position.key))
        if held is None or position.sequence > held.sequence:
            best[(position.topic, position.key)] = position
    ordered = sorted(best.values(), key=lambda p: p.at)
    return ordered[-TOKEN_MAX_ENTRIES:]


# ------------------------------------------------------------------- what a request produced

_produced: contextvars.ContextVar[list[Position] | None] = contextvars.ContextVar(
    "cerchia_produced_positions", default=None
)


@contextmanager
def collecting() -> Iterator[list[Position]]:
    """Collect the positions of the events written during a request (by ``produced``)."""
    collected: list[Position] = []
    token = _produced.set(collected)
    try:
        yield collected
    finally:
        _produced.reset(token)


def produced(topic: str, key: str, sequence: int) -> None:
    """The outbox wrote an event: remember its position for the response's token."""
    collected = _produced.get()
    if collected is not None:
        collected.append(Position(topic, key, sequence, time.time()))


def response_token(
    incoming: str | None, collected: Sequence[Position], *, upstream: str | None = None
) -> str | None:
    """The token a response carries: the request's (still young entries) plus what it wrote,
    plus what an upstream service's answer carried (when this process proxies it)."""
    positions = list(collected)
    for token in (incoming, upstream):
        if token:
            with suppress(InvalidToken):
                positions += decode_token(token)
    merged = merge(positions)
    return encode_token(merged) if merged else None


# --------------------------------------------------------------------------- consumer positions


class Positions:
    """The highest sequence a service has handled, per topic and key, in its own database."""

    indexes: Sequence[Indexes] = (Indexes(POSITIONS),)

    def __init__(self, db: AsyncDatabase[Document], *, poll_s: float = 0.05) -> None:
        self._collection = db[POSITIONS]
        self._poll_s = poll_s
        self._advanced = asyncio.Event()

    async def advance(
        self, topic: str, sequences: Mapping[str, int], session: Session | None = None
    ) -> None:
        """Record that these keys' events up to these sequences are applied."""
        if not sequences:
            return
        await self._collection.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{topic}|{key}"},
                    {"$max": {"sequence": sequence}, "$set": {"topic": topic, "key": key}},
                    upsert=True,
                )
                for key, sequence in sequences.items()
            ],
            ordered=False,
            session=session,
        )
        # Wake this process's waiters; other replicas' waiters notice by polling.
        self._advanced.set()
        self._advanced = asyncio.Event()

    async def behind(self, wanted: Sequence[Position]) -> list[Position]:
        """Those of ``wanted`` not reached yet."""
        if not wanted:
            return []
        ids = [f"{p.topic}|{p.key}" for p in wanted]
        reached = {
            doc["_id"]: int(doc["sequence"])
            async for doc in self._collection.find({"_id": {"$in": ids}})
        }
        return [p for p in wanted if reached.get(f"{p.topic}|{p.key}", 0) < p.sequence]

    async def wait_for(self, wanted: Sequence[Position], *, timeout_s: float) -> list[Position]:
        """Wait until every position of ``wanted`` is reached, at most ``timeout_s``; return
        those still behind (empty: consistent)."""
        deadline = time.monotonic() + timeout_s
        pending = await self.behind(wanted)
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return pending
            advanced = self._advanced
            with suppress(TimeoutError):
                await asyncio.wait_for(advanced.wait(), timeout=min(self._poll_s * 4, left))
            pending = await self.behind(pending)
        return pending


def sequence_of(headers: Iterable[tuple[str, bytes]] | None) -> int | None:
    """The ``cerchia-sequence`` header of a record, if it has a valid one."""
    for name, value in headers or ():
        if name == SEQUENCE_HEADER:
            try:
                return int(value)
            except ValueError:
                return None
    return None


def relevant(positions: Iterable[Position], consumed: Iterable[str]) -> list[Position]:
    """The positions on topics this service consumes (the others are not its to wait for)."""
    topics = set(consumed)
    return [p for p in positions if p.topic in topics]


def highest(entries: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The highest sequence per key."""
    best: dict[str, int] = {}
    for key, sequence in entries:
        if sequence > best.get(key, -1):
            best[key] = sequence
    return best
