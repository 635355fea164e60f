"""Opaque pagination cursors (base64url JSON); a tampered one is a 400, never a 500."""

import base64
import binascii
import json
from datetime import datetime

from cerchia_chassis.problems import Problem
from events.service.ports import Page


def encode_page(page: Page) -> str:
    """The cursor continuing after ``page``."""
    raw = json.dumps({"s": page.starts_at.isoformat(), "i": page.id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page(cursor: str | None) -> Page | None:
    """The position a cursor names; raise a 400 problem for garbage."""
    if cursor is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return Page(starts_at=datetime.fromisoformat(data["s"]), id=str(data["i"]))
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise Problem(400, "invalid-cursor", "The cursor is not valid.") from exc


def encode_key(key: str) -> str:
    """A cursor continuing after a plain key (e.g. a user id)."""
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_key(cursor: str | None) -> str | None:
    """The key a cursor names; raise a 400 problem for garbage."""
    if cursor is None:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError as exc:  # bad base64, bad UTF-8, or characters base64 does not have
        raise Problem(400, "invalid-cursor", "The cursor is not valid.") from exc
