"""Sessions in the web client's own MongoDB database; a TTL index forgets idle ones."""

from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Indexes
from web.domain.sessions import WebSession

Document = dict[str, Any]

INDEXES = (Indexes("sessions", (IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),)),)


class SessionStore:
    """Reads and writes ``WebSession`` by key."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._sessions = db["sessions"]

    async def get(self, key: str, now: datetime) -> WebSession | None:
        """The live session under ``key`` (the TTL monitor runs only once a minute)."""
        found = await self._sessions.find_one({"_id": key, "expires_at": {"$gt": now}})
        if found is None:
            return None
        found.pop("_id")
        return WebSession(key=key, **found)

    async def save(self, session: WebSession) -> None:
        """Create or replace the session."""
        document = asdict(session)
        key = document.pop("key")
        await self._sessions.replace_one({"_id": key}, document, upsert=True)

    async def delete(self, key: str) -> None:
        """Forget the session (logging out ends it here, whatever the browser keeps)."""
        await self._sessions.delete_one({"_id": key})

    async def ping(self) -> bool:
        """Whether the database answers."""
        await self._sessions.database.command("ping")
        return True
