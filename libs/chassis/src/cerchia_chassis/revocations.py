"""Tokens that die with their session: every verifier's denylist, fed by ``membership.sessions.v1``.

Membership announces every session that ends early (logout, logout everywhere, a password change
or reset, a replayed refresh token, an account erased or disabled). Each process that verifies
access tokens — the gateway and every service — reads that whole topic itself, without a consumer
group (every replica needs every revocation), from ``lookback`` ago (the longest an access token
lives, plus leeway) and then as it grows, and keeps the revocations in memory for as long as a
token issued before them could still be presented. ``TokenVerifier`` refuses a token whose
session is revoked, or whose user's tokens are all revoked since after it was issued.

A process does not answer requests before it has read the topic to its end (``caught_up``), so a
restart never lets a revoked token back in.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_contracts.catalog import MEMBERSHIP_SESSIONS
from cerchia_contracts.events.membership.sessions import SessionsRevokedV1

logger = logging.getLogger(__name__)

#: How long a revocation is kept: the longest access token lifetime plus clock leeway.
DEFAULT_HOLD = timedelta(minutes=15) + timedelta(minutes=2)


@dataclass
class Revocations:
    """The ended sessions and users, each until its tokens would have expired anyway."""

    hold: timedelta = DEFAULT_HOLD
    _sessions: dict[str, float] = field(default_factory=dict)
    _users: dict[str, tuple[float, float]] = field(default_factory=dict)

    def apply(self, event: SessionsRevokedV1, *, now: float | None = None) -> None:
        """Remember a revocation."""
        clock = time.time() if now is None else now
        until = clock + self.hold.total_seconds()
        for session_id in event.data.session_ids:
            self._sessions[session_id] = until
        before = event.data.all_before
        if before is not None:
            held = self._users.get(event.data.user_id)
            cutoff = before.timestamp()
            if held is None or cutoff > held[0]:
                self._users[event.data.user_id] = (cutoff, until)
        self._prune(clock)

    def revoked(self, *, user_id: str, session_id: str | None, issued_at: float) -> bool:
        """Whether a token of ``user_id`` in ``session_id``, issued at ``issued_at``, is dead."""
        now = time.time()
        if session_id is not None and self._sessions.get(session_id, 0) > now:
            return True
        held = self._users.get(user_id)
        # ``iat`` has whole seconds: a token of the same second as the cut is dead too.
        return held is not None and held[1] > now and issued_at <= held[0]

    def _prune(self, now: float) -> None:
        if len(self._sessions) > 1000:
            self._sessions = {k: v for k, v in self._sessions.items() if v > now}
        if len(self._users) > 1000:
            self._users = {k: v for k, v in self._users.items() if v[1] > now}


class RevocationFeed:
    """Reads ``membership.sessions.v1`` into ``Revocations``, for the life of a process."""

    def __init__(
        self,
        access: KafkaAccess,
        revocations: Revocations,
        *,
        topic: str = MEMBERSHIP_SESSIONS.name,
        catch_up_timeout_s: float = 30.0,
    ) -> None:
        self._access = access
        self._revocations = revocations
        self._topic = topic
        self._catch_up_timeout_s = catch_up_timeout_s
        self.caught_up = asyncio.Event()

    @asynccontextmanager
    async def running(self) -> AsyncIterator["RevocationFeed"]:
        """Read the topic to its end before yielding, then keep reading until exit."""
        consumer = AIOKafkaConsumer(
            **self._access.client_kwargs(), group_id=None, enable_auto_commit=False
        )
        await consumer.start()
        task: asyncio.Task[None] | None = None
        try:
            partitions = await self._seek_back(consumer)
            task = asyncio.create_task(self._follow(consumer, partitions))
            done, _ = await asyncio.wait(
                [task, asyncio.create_task(self.caught_up.wait())],
                timeout=self._catch_up_timeout_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if task in done:
                task.result()  # raise what stopped it
            if not self.caught_up.is_set():
                raise TimeoutError(f"could not read {self._topic} within the timeout")
            yield self
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await consumer.stop()

    async def _seek_back(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        numbers = consumer.partitions_for_topic(self._topic)
        if not numbers:
            await consumer._client.force_metadata_update()
            numbers = consumer.partitions_for_topic(self._topic) or set()
        partitions = [TopicPartition(self._topic, n) for n in sorted(numbers)]
        consumer.assign(partitions)
        since = int((time.time() - self._revocations.hold.total_seconds()) * 1000)
        found = await consumer.offsets_for_times(dict.fromkeys(partitions, since))
        for tp in partitions:
            offset = found.get(tp)
            if offset is None:
                await consumer.seek_to_end(tp)
            else:
                consumer.seek(tp, offset.offset)
        return partitions

    async def _follow(
        self, consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]
    ) -> None:
        ends = await consumer.end_offsets(list(partitions))
        while True:
            try:
                batch = await consumer.getmany(timeout_ms=500)
            except KafkaError:
                logger.warning("reading %s failed; retrying", self._topic, exc_info=True)
                await asyncio.sleep(1.0)
                continue
            for records in batch.values():
                for record in records:
                    self._apply(record.value)
            if not self.caught_up.is_set():
                positions = [await consumer.position(tp) for tp in partitions]
                if all(p >= ends[tp] for p, tp in zip(positions, partitions, strict=True)):
                    self.caught_up.set()

    def _apply(self, value: bytes | None) -> None:
        try:
            event = MEMBERSHIP_SESSIONS.decode(value or b"")
        except ValidationError:
            logger.error("ignoring a record of %s that is no revocation", self._topic)
            return
        if isinstance(event, SessionsRevokedV1):
            self._revocations.apply(event)


def issued_at(claims: dict[str, object]) -> float:
    """A token's ``iat`` in unix seconds."""
    value = claims.get("iat")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    return 0.0
