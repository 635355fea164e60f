"""Cursor pagination: opaque cursors over a stable sort key, and one page of results."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from content.domain.errors import InvalidContent

T = TypeVar("T")
MAX_LIMIT = 100

#: One position in a sort order: the sort key's values, last one the object id.
Position = tuple[Any, ...]


@dataclass(frozen=True)
class Page(Generic[T]):
    """Some items and, if there are more, the cursor that continues after the last one."""

    items: list[T]
    next_cursor: str | None


def encode(position: Position) -> str:
    """An opaque cursor for ``position``."""
    values = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in position]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode(cursor: str, *, arity: int) -> Position:
    """The position a cursor names; raise InvalidContent for anything we did not issue."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != arity:
            raise ValueError("wrong shape")
        return tuple(
            datetime.fromisoformat(v["t"]) if isinstance(v, dict) else _scalar(v) for v in raw
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidContent("The cursor is not valid.", code="invalid-cursor") from exc


def _scalar(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise ValueError("unexpected cursor value")


def page_of(items: list[T], limit: int, position: "Any") -> Page[T]:
    """A page from ``limit + 1`` fetched items; ``position(item)`` gives the cursor's key."""
    if len(items) > limit:
        kept = items[:limit]
        return Page(kept, encode(position(kept[-1])))
    return Page(items, None)
