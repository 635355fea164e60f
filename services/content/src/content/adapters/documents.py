"""Stored-document pieces the repositories share: rendered bodies and keyset pagination."""

from collections.abc import Sequence
from typing import Any

from content.domain.markup import Body
from content.domain.pages import Position

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
