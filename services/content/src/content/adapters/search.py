"""The full-text index in MongoDB: stemmed terms per document under a multikey index, ranked
with BM25 in the service (the MongoDB-compatible server in use has no text indexes)."""

from collections.abc import Sequence

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from content.domain.markup import excerpt
from content.domain.search import Candidate, query_terms, rank, term_counts
from content.service.search_ports import SearchHit, SearchKind

SEARCH = "search"
# Enough candidates to rank well in a community of a few hundred posts a month.
MAX_CANDIDATES = 500


class MongoSearchIndex:
    """One document per live thread, reply or resource."""

    indexes: Sequence[Indexes] = (
        Indexes(
            SEARCH,
            (
                IndexModel([("community_id", ASCENDING), ("terms", ASCENDING)], name="terms"),
                IndexModel("thread_id", name="thread"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[SEARCH]

    async def put(
        self,
        *,
        kind: SearchKind,
        object_id: str,
        community_id: str,
        thread_id: str | None,
        title: str,
        body: str,
        language: str,
        session: Session,
        title_searchable: bool = True,
    ) -> None:
        """Index (or re-index) one object; the title's words match only if
        ``title_searchable``."""
        counts = term_counts(title=title if title_searchable else "", body=body, language=language)
        await self._collection.replace_one(
            {"_id": f"{kind}:{object_id}"},
            {
                "kind": kind,
                "object_id": object_id,
                "community_id": community_id,
                "thread_id": thread_id,
                "title": title,
                "excerpt": excerpt(body, 200),
                "terms": sorted(counts),
                "counts": counts,
                "length": sum(counts.values()),
            },
            upsert=True,
            session=session,
        )

    async def drop(self, kind: SearchKind, object_id: str, session: Session) -> None:
        """Remove one object from the index."""
        await self._collection.delete_one({"_id": f"{kind}:{object_id}"}, session=session)

    async def drop_thread(self, thread_id: str, session: Session) -> None:
        """Remove a thread and every reply in it from the index."""
        await self._collection.delete_many({"thread_id": thread_id}, session=session)

    async def search(
        self, community_id: str, query: str, *, language: str, limit: int
    ) -> list[SearchHit]:
        """The best ``limit`` hits for ``query`` in one community."""
        wanted = query_terms(query, language)
        if not wanted:
            return []
        scope = {"community_id": community_id}
        docs = (
            await self._collection.find({**scope, "terms": {"$in": wanted}}, _CANDIDATE_FIELDS)
            .limit(MAX_CANDIDATES)
            .to_list()
        )
        if not docs:
            return []
        total = await self._collection.count_documents(scope)
        frequency = {
            term: await self._collection.count_documents({**scope, "terms": term})
            for term in wanted
        }
        by_key = {doc["_id"]: doc for doc in docs}
        ranked = rank(
            [Candidate(doc["_id"], doc["counts"], doc["length"]) for doc in docs],
            wanted,
            document_frequency=frequency,
            total_documents=total,
        )
        return [_hit(by_key[key], score) for key, score in ranked[:limit]]


_CANDIDATE_FIELDS = dict.fromkeys(
    ("counts", "length", "kind", "object_id", "thread_id", "title", "excerpt"), 1
)


def _hit(doc: Document, score: float) -> SearchHit:
    return SearchHit(
        kind=doc["kind"],
        id=doc["object_id"],
        thread_id=doc.get("thread_id"),
        title=doc["title"],
        excerpt=doc["excerpt"],
        score=round(score, 4),
    )
