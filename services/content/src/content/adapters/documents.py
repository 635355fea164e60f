"""Stored-document pieces the repositories share: posts, rendered bodies, keyset pagination."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cerchia_chassis.domain.cursors import Position
from content.domain.discussions import Post, Visibility
from content.domain.markup import Body

#: A sort order: (field, 1 ascending | -1 descending), the last field unique (the id).
SortOrder = Sequence[tuple[str, int]]


def body_document(body: Body) -> dict[str, Any]:
    """How a rendered body is stored (the HTML is stored sanitized, never re-rendered on read)."""
    return {
        "markdown": body.markdown,
        "html": body.html,
        "text": body.text,
        "mentions": list(body.mentioned_handles),
    }


def body_from(document: dict[str, Any]) -> Body:
    """The body a stored document holds."""
    return Body(
        markdown=document["markdown"],
        html=document["html"],
        text=document["text"],
        mentioned_handles=tuple(document.get("mentions", ())),
    )


def after_filter(order: SortOrder, position: Position | None) -> dict[str, Any]:
    """The filter for items strictly after ``position`` in ``order`` (keyset pagination)."""
    if position is None:
        return {}
    clauses: list[dict[str, Any]] = []
    for index, (name, direction) in enumerate(order):
        clause: dict[str, Any] = {
            field: value for (field, _), value in zip(order[:index], position[:index], strict=True)
        }
        clause[name] = {"$lt" if direction < 0 else "$gt": position[index]}
        clauses.append(clause)
    return {"$or": clauses}


def post_fields(post: Post) -> dict[str, Any]:
    """How what threads and replies share is stored."""
    return {
        "community_id": post.community_id,
        "author_id": post.author_id,
        "body": body_document(post.body),
        "created_at": post.created_at,
        "revision": post.revision,
        "edited_at": post.edited_at,
        "deleted_at": post.deleted_at,
        "visibility": post.visibility.value,
        "reactions": {name: list(who) for name, who in post.reactions.items()},
    }


def post_args(doc: dict[str, Any]) -> dict[str, Any]:
    """The constructor arguments of what threads and replies share."""
    return {
        "id": doc["_id"],
        "community_id": doc["community_id"],
        "author_id": doc.get("author_id"),
        "body": body_from(doc["body"]),
        "created_at": doc["created_at"],
        "revision": doc["revision"],
        "edited_at": doc.get("edited_at"),
        "deleted_at": doc.get("deleted_at"),
        "visibility": Visibility(doc["visibility"]),
        "reactions": {name: tuple(who) for name, who in doc.get("reactions", {}).items()},
    }


def shown(include_hidden: bool) -> dict[str, Any]:
    """The filter for posts members see (moderators also see hidden ones)."""
    visibilities = ["visible", "hidden"] if include_hidden else ["visible"]
    return {"deleted_at": None, "visibility": {"$in": visibilities}}


def live_by_author_since(community_id: str, author_id: str, since: datetime) -> dict[str, Any]:
    """The filter for an author's live posts in a community created at or after ``since``."""
    return {
        "community_id": community_id,
        "author_id": author_id,
        "created_at": {"$gte": since},
        **shown(False),
    }
