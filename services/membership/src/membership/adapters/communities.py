"""Communities in MongoDB, with their seat counters on the same document."""

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cerchia_chassis.domain.errors import Conflict
from cerchia_chassis.mongo import Document, Indexes, Session
from membership.domain.communities import (
    CodeOfConduct,
    Community,
    Details,
    ScreeningQuestion,
    Seats,
)
from membership.domain.discovery import search_counts

COMMUNITIES = "communities"


def _slug_taken(slug: str) -> Conflict:
    return Conflict(f"The slug {slug!r} is taken.", code="slug-taken")


class MongoCommunities:
    """One document per community; ``seats_free`` is the counter admissions race for."""

    indexes: Sequence[Indexes] = (
        Indexes(
            COMMUNITIES,
            (
                IndexModel("slug", unique=True, name="slug_unique"),
                IndexModel(
                    [("visibility", ASCENDING), ("archived_at", ASCENDING), ("slug", ASCENDING)],
                    name="listed",
                ),
                IndexModel("search.terms", name="search_terms"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[COMMUNITIES]

    async def add(self, community: Community, session: Session) -> None:
        """Insert a new community; a taken slug raises Conflict."""
        document = {**_to_document(community), "members": community.seats.members}
        document["waitlist_seq"] = 0
        try:
            await self._collection.insert_one(document, session=session)
        except DuplicateKeyError as exc:
            raise _slug_taken(community.details.slug) from exc

    async def get(self, community_id: str, session: Session | None = None) -> Community | None:
        """The community with this id."""
        document = await self._collection.find_one({"_id": community_id}, session=session)
        return None if document is None else _from_document(document)

    async def find(self, id_or_slug: str) -> Community | None:
        """The community with this id or slug."""
        document = await self._collection.find_one(
            {"$or": [{"_id": id_or_slug}, {"slug": id_or_slug}]}
        )
        return None if document is None else _from_document(document)

    async def save(self, community: Community, session: Session) -> None:
        """Write settings, owner, code, capacity and free seats (the member count moves only by
        ``take_seat`` and ``adjust``)."""
        try:
            await self._collection.update_one(
                {"_id": community.id}, {"$set": _to_document(community)}, session=session
            )
        except DuplicateKeyError as exc:
            raise _slug_taken(community.details.slug) from exc

    async def take_seat(self, community_id: str, session: Session, *, member: bool) -> bool:
        """Take a free seat only while one is left: the filter is the capacity guarantee."""
        result = await self._collection.update_one(
            {"_id": community_id, "seats_free": {"$gt": 0}},
            {"$inc": {"seats_free": -1, "members": 1 if member else 0}},
            session=session,
        )
        return result.matched_count == 1

    async def adjust(
        self, community_id: str, session: Session, *, members: int = 0, free: int = 0
    ) -> None:
        """Move the member count and the free seats."""
        await self._collection.update_one(
            {"_id": community_id},
            {"$inc": {"members": members, "seats_free": free}},
            session=session,
        )

    async def next_sequence(self, community_id: str, session: Session) -> int:
        """Draw the next waitlist number (in the admission's transaction)."""
        document = await self._collection.find_one_and_update(
            {"_id": community_id},
            {"$inc": {"waitlist_seq": 1}},
            projection={"waitlist_seq": 1},
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        if document is None:
            raise LookupError(community_id)
        sequence: int = document["waitlist_seq"]
        return sequence

    async def listed(
        self, *, after: str | None, limit: int, tag: str | None, language: str | None
    ) -> list[Community]:
        """Public, active communities in slug order, after the slug ``after``."""
        query: dict[str, Any] = {"visibility": "public", "archived_at": None}
        if after is not None:
            query["slug"] = {"$gt": after}
        if tag is not None:
            query["tags"] = tag.strip().lower()
        if language is not None:
            query["language"] = language
        cursor = self._collection.find(query).sort("slug", ASCENDING).limit(limit)
        return [_from_document(d) async for d in cursor]

    async def matching(
        self, terms: Sequence[str], *, tag: str | None, language: str | None, limit: int
    ) -> list[tuple[Community, dict[str, int]]]:
        """Public, active communities found by any of ``terms``, with their weighted terms."""
        query: dict[str, Any] = {
            "visibility": "public",
            "archived_at": None,
            "search.terms": {"$in": list(terms)},
        }
        if tag is not None:
            query["tags"] = tag.strip().lower()
        if language is not None:
            query["language"] = language
        cursor = self._collection.find(query).limit(limit)
        return [(_from_document(d), dict(d["search"]["counts"])) async for d in cursor]

    async def index_unsearchable(self, limit: int) -> int:
        """Give up to ``limit`` communities stored before discovery searched words their
        search terms; how many were given them. A community saved meanwhile keeps its own."""
        done = 0
        async for document in self._collection.find({"search": {"$exists": False}}).limit(limit):
            counts = search_counts(_from_document(document).details)
            await self._collection.update_one(
                {"_id": document["_id"], "search": {"$exists": False}},
                {"$set": {"search": {"terms": sorted(counts), "counts": counts}}},
            )
            done += 1
        return done

    async def count_listed(self) -> int:
        """How many communities are listed (public and active)."""
        return await self._collection.count_documents({"visibility": "public", "archived_at": None})

    async def by_ids(self, ids: Sequence[str]) -> list[Community]:
        """The communities with these ids."""
        cursor = self._collection.find({"_id": {"$in": list(ids)}})
        return [_from_document(d) async for d in cursor]


def _to_document(community: Community) -> dict[str, Any]:
    d, code = community.details, community.code_of_conduct
    counts = search_counts(d)
    return {
        "_id": community.id,
        "slug": d.slug,
        "name": d.name,
        "purpose": d.purpose,
        "audience": d.audience,
        "tags": list(d.tags),
        "language": d.language,
        "visibility": d.visibility,
        "join_policy": d.join_policy,
        "capacity": community.seats.capacity,
        "seats_free": community.seats.free,
        "owner_id": community.owner_id,
        "code_of_conduct": {
            "version": code.version,
            "text": code.text,
            "published_at": code.published_at,
            "published_by": code.published_by,
        },
        "questions": [
            {"id": q.id, "prompt": q.prompt, "required": q.required} for q in community.questions
        ],
        "created_at": community.created_at,
        "updated_at": community.updated_at,
        "archived_at": community.archived_at,
        # What discovery finds it by (SecantusDB has no text index): its terms, and weights.
        "search": {"terms": sorted(counts), "counts": counts},
    }


def _from_document(document: Document) -> Community:
    code = document["code_of_conduct"]
    return Community(
        id=document["_id"],
        details=Details(
            name=document["name"],
            slug=document["slug"],
            purpose=document["purpose"],
            audience=document["audience"],
            tags=tuple(document["tags"]),
            language=document["language"],
            visibility=document["visibility"],
            join_policy=document["join_policy"],
        ),
        seats=Seats(
            capacity=document["capacity"], members=document["members"], free=document["seats_free"]
        ),
        owner_id=document.get("owner_id"),
        code_of_conduct=CodeOfConduct(
            version=code["version"],
            text=code["text"],
            published_at=code["published_at"],
            published_by=code["published_by"],
        ),
        questions=tuple(
            ScreeningQuestion(id=q["id"], prompt=q["prompt"], required=q["required"])
            for q in document["questions"]
        ),
        created_at=document["created_at"],
        updated_at=document["updated_at"],
        archived_at=document.get("archived_at"),
    )
