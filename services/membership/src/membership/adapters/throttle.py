"""Attempt logs in MongoDB, shared by every replica; idle logs vanish (TTL index)."""

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pymongo import IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cerchia_chassis.mongo import Document, Indexes
from membership.domain.account_errors import Throttled
from membership.domain.throttling import Counted, Reservation, ThrottlePolicy

ATTEMPTS = "attempt_logs"


class MongoAttemptThrottle:
    """One document per (scope, subject) holding its attempts in the window, updated atomically.

    Subjects (emails, IP addresses) are stored as SHA-256 digests: the logs need no personal
    data, and they expire by themselves a window after the last attempt. Persisted rather than
    the chassis's in-process ``RateLimiter``: see ``membership.domain.throttling``.
    """

    indexes: Sequence[Indexes] = (
        Indexes(ATTEMPTS, (IndexModel("expires_at", expireAfterSeconds=0, name="expiry"),)),
    )

    def __init__(self, db: AsyncDatabase[Document], policies: Mapping[str, ThrottlePolicy]) -> None:
        self._collection = db[ATTEMPTS]
        self._policies = dict(policies)

    async def reserve(self, keys: Sequence[tuple[str, str]], now: datetime) -> Reservation:
        """Log an attempt against every key; over any limit, log nothing and raise Throttled."""
        counted: list[Counted] = []
        waits: list[timedelta] = []
        for scope, subject in keys:
            policy = self._policies[scope]
            entry = Counted(scope=scope, subject=subject)
            earlier = await self._log(entry, policy, now)
            counted.append(entry)
            wait = policy.retry_after([a["at"] for a in earlier], now)
            if wait is not None:
                waits.append(wait)
        if waits:
            await self._unlog(counted)
            raise Throttled(max(waits))
        return tuple(counted)

    async def succeeded(self, reservation: Reservation) -> None:
        """Un-log a legitimate attempt; forget the history where the policy says so."""
        for entry in reservation:
            if self._policies[entry.scope].reset_on_success:
                await self._collection.delete_one({"_id": _id(entry)})
            else:
                await self._unlog([entry])

    async def _log(self, entry: Counted, policy: ThrottlePolicy, now: datetime) -> list[Document]:
        """Append the attempt to its log; answer the attempts logged before it."""
        # Forget attempts that left the window. The log is not trimmed to a fixed length: a
        # burst of refused attempts, each logged then withdrawn, must not push out the
        # counted ones.
        key = {"_id": _id(entry)}
        await self._collection.update_one(
            key, {"$pull": {"attempts": {"at": {"$lte": now - policy.window}}}}
        )
        update = {
            "$push": {"attempts": {"id": entry.attempt_id, "at": now}},
            "$max": {"expires_at": now + policy.window},
        }
        for _ in range(2):  # two first attempts may race to insert the log; one retry settles it
            try:
                document = await self._collection.find_one_and_update(
                    key, update, upsert=True, return_document=ReturnDocument.AFTER
                )
            except DuplicateKeyError:
                continue
            if document is None:
                # Some servers answer an upsert that raced another with no document, though
                # the update was applied: read the log back.
                document = await self._collection.find_one(key)
            return _before(entry, list(document["attempts"]) if document else [])
        raise RuntimeError("attempt log could not be updated")

    async def _unlog(self, entries: Sequence[Counted]) -> None:
        for entry in entries:
            await self._collection.update_one(
                {"_id": _id(entry)}, {"$pull": {"attempts": {"id": entry.attempt_id}}}
            )


def _before(entry: Counted, attempts: list[Document]) -> list[Document]:
    """The attempts appended before ``entry``: the order of the log is the order of the
    appends, so attempts that came after it (seen when the log is read back) do not count
    against it. An entry no longer there (a success forgot the log) counts them all."""
    ids = [attempt["id"] for attempt in attempts]
    return attempts[: ids.index(entry.attempt_id)] if entry.attempt_id in ids else attempts


def _id(entry: Counted) -> str:
    return f"{entry.scope}:{hashlib.sha256(entry.subject.encode()).hexdigest()}"
