"""Preferences in MongoDB: one document per person, only what differs from the defaults."""

from collections.abc import Sequence
from datetime import time
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from notifications.domain.categories import Category
from notifications.domain.preferences import (
    ChannelChoice,
    DigestFrequency,
    DigestSchedule,
    EmailMode,
    Preferences,
    QuietHours,
)

PREFERENCES = "preferences"


class MongoPreferences:
    """People's choices, keyed by user id."""

    indexes: Sequence[Indexes] = (Indexes(PREFERENCES),)

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[PREFERENCES]

    async def get(self, user_id: str) -> Preferences:
        """A person's preferences (the defaults when they chose nothing)."""
        doc = await self._collection.find_one({"_id": user_id})
        return Preferences() if doc is None else from_document(doc)

    async def many(self, user_ids: Sequence[str], session: Session) -> dict[str, Preferences]:
        """The preferences of several people, in one query; absent means defaults."""
        found = self._collection.find({"_id": {"$in": list(set(user_ids))}}, session=session)
        return {doc["_id"]: from_document(doc) async for doc in found}

    async def put(self, user_id: str, preferences: Preferences) -> None:
        """Replace a person's preferences."""
        await self._collection.replace_one({"_id": user_id}, to_document(preferences), upsert=True)

    async def erase(self, user_id: str, session: Session) -> None:
        """Forget a person's preferences."""
        await self._collection.delete_one({"_id": user_id}, session=session)


def _choices(choices: dict[Category, ChannelChoice]) -> dict[str, Any]:
    return {
        category.value: {"in_app": c.in_app, "email": c.email.value, "push": c.push}
        for category, c in choices.items()
    }


def _parse_choices(raw: dict[str, Any]) -> dict[Category, ChannelChoice]:
    return {
        Category(name): ChannelChoice(
            in_app=value["in_app"], email=EmailMode(value["email"]), push=value["push"]
        )
        for name, value in raw.items()
        if name in Category.__members__.values()
    }


def _schedule(schedule: DigestSchedule) -> dict[str, Any]:
    return {
        "frequency": schedule.frequency.value,
        "hour": schedule.hour,
        "weekday": schedule.weekday,
    }


def _parse_schedule(raw: dict[str, Any]) -> DigestSchedule:
    return DigestSchedule(
        frequency=DigestFrequency(raw.get("frequency", DigestFrequency.DAILY.value)),
        hour=int(raw.get("hour", 8)),
        weekday=int(raw.get("weekday", 0)),
    )


def to_document(preferences: Preferences) -> Document:
    """The stored form of preferences."""
    quiet = preferences.quiet_hours
    return {
        "categories": _choices(preferences.categories),
        "communities": {
            community: _choices(choices) for community, choices in preferences.communities.items()
        },
        "quiet_hours": None
        if quiet is None
        else {"start": quiet.start.isoformat("minutes"), "end": quiet.end.isoformat("minutes")},
        "digest": _schedule(preferences.digest),
        "community_digests": {
            community: _schedule(schedule)
            for community, schedule in preferences.community_digests.items()
        },
    }


def from_document(doc: Document) -> Preferences:
    """Preferences from their stored form."""
    quiet = doc.get("quiet_hours")
    digest = doc.get("digest") or {}
    return Preferences(
        categories=_parse_choices(doc.get("categories") or {}),
        communities={
            community: _parse_choices(raw)
            for community, raw in (doc.get("communities") or {}).items()
        },
        quiet_hours=None
        if not quiet
        else QuietHours(
            start=time.fromisoformat(quiet["start"]), end=time.fromisoformat(quiet["end"])
        ),
        digest=_parse_schedule(digest),
        community_digests={
            community: _parse_schedule(raw)
            for community, raw in (doc.get("community_digests") or {}).items()
        },
    )
