"""Opaque pagination cursors over a stable sort key, and one page of results.

A cursor is a position in a sort order (the sort key's values, the last one the object's id),
as base64url JSON. Whatever a client sends back is either a position of the expected arity
made of plain values, or ``InvalidCursor`` — which every service answers with one 400 problem,
``invalid-cursor`` (``cerchia_chassis.service_app``); never a 500, never silently the first page.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")
#: The most items a page may ask for.
MAX_LIMIT = 100

#: One position in a sort order: the sort key's values, the last one the object's id.
Position = tuple[Any, ...]


class InvalidCursor(ValueError):
    """A cursor this platform did not issue (or that was altered)."""

    def __init__(self) -> None:
        super().__init__("The cursor is not valid.")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Some items and, if there are more, the cursor that continues after the last one."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(position: Position) -> str:
    """An opaque cursor for ``position`` (datetimes, strings, numbers, booleans, None)."""
    values = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in position]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, arity: int) -> Position:
    """The position a cursor names; raise ``InvalidCursor`` for anything not issued here."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != arity:
            raise ValueError("wrong shape")
        return tuple(
            datetime.fromisoformat(v["t"]) if isinstance(v, dict) else _scalar(v) for v in raw
        )
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise InvalidCursor from exc


def decode_optional(cursor: str | None, *, arity: int) -> Position | None:
    """``decode_cursor`` for an optional query parameter."""
    return None if cursor is None else decode_cursor(cursor, arity=arity)


def _scalar(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise ValueError("unexpected cursor value")


def page_of(items: list[T], limit: int, position: Callable[[T], Position]) -> Page[T]:
    """A page from ``limit + 1`` fetched items; ``position(item)`` gives the cursor's key."""
    if len(items) > limit:
        kept = items[:limit]
        return Page(kept, encode_cursor(position(kept[-1])))
    return Page(items, None)
