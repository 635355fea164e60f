"""Moderation: flags from members, decisions by moderators, and which decisions are allowed."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cerchia_chassis.domain.errors import Conflict
from content.domain.discussions import Visibility

TARGET_KINDS = ("thread", "reply", "resource")


class Action(StrEnum):
    """What a moderator can do to content."""

    HIDE = "hide"
    RESTORE = "restore"
    REMOVE = "remove"


def visibility_after(current: Visibility, action: Action) -> Visibility:
    """The content's visibility after ``action``; raise Conflict when it makes no sense.

    Removal is final: removed content cannot be restored (it is gone for members and search).
    """
    if current is Visibility.REMOVED:
        raise Conflict("This content was removed; that is final.", code="already-removed")
    if action is Action.HIDE:
        if current is Visibility.HIDDEN:
            raise Conflict("This content is already hidden.", code="already-hidden")
        return Visibility.HIDDEN
    if action is Action.RESTORE:
        if current is Visibility.VISIBLE:
            raise Conflict("This content is not hidden.", code="not-hidden")
        return Visibility.VISIBLE
    return Visibility.REMOVED


@dataclass(frozen=True)
class Flag:
    """A member's report of content to the moderators."""

    id: str
    community_id: str
    target_kind: str
    target_id: str
    reporter_id: str | None
    reason: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolution: str | None = None


@dataclass(frozen=True)
class Decision:
    """An audited moderator decision."""

    id: str
    community_id: str
    target_kind: str
    target_id: str
    moderator_id: str | None
    action: Action
    reason: str
    created_at: datetime
    resolved_flag_ids: tuple[str, ...] = ()
