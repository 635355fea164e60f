"""Keyset pagination: continue after the last document seen, in a stable sort order."""

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from cerchia_chassis.mongo import Document

SortSpec = Sequence[tuple[str, int]]


async def after_filter(
    collection: AsyncCollection[Document], after: str | None, sort: SortSpec
) -> dict[str, Any]:
    """A filter for the documents that follow ``after`` (an ``_id``) in ``sort`` order.

    ``sort`` must end with ``_id`` so that ties cannot repeat or skip documents. An unknown
    ``after`` yields a filter matching nothing rather than restarting from the top.
    """
    if after is None:
        return {}
    last = await collection.find_one({"_id": after})
    if last is None:
        return {"_id": {"$in": []}}
    clauses: list[dict[str, Any]] = []
    for i, (field, direction) in enumerate(sort):
        clause: dict[str, Any] = {f: last.get(f) for f, _ in sort[:i]}
        clause[field] = {"$gt" if direction == ASCENDING else "$lt": last.get(field)}
        clauses.append(clause)
    return {"$or": clauses}
