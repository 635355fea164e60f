"""Threads and replies: the forum's rules (who edits, who deletes, what reactions exist)."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Self
from uuid import uuid4

from cerchia_chassis.domain.errors import Conflict, Forbidden
from content.domain.access import Viewer
from content.domain.errors import InvalidContent
from content.domain.markup import BLANK, Body

#: The fixed set of reactions: appreciation, not a popularity score.
REACTIONS = ("like", "love", "insightful", "thanks", "laugh", "celebrate")


class Visibility(StrEnum):
    """How moderation left a post: visible, hidden (reversible) or removed (final)."""

    VISIBLE = "visible"
    HIDDEN = "hidden"
    REMOVED = "removed"


def new_id() -> str:
    """A fresh object id."""
    return str(uuid4())


def check_reaction(reaction: str) -> str:
    """The reaction if it is one of REACTIONS; raise InvalidContent otherwise."""
    if reaction not in REACTIONS:
        raise InvalidContent(f"Unknown reaction {reaction!r}; use one of {', '.join(REACTIONS)}.")
    return reaction


@dataclass(frozen=True)
class Post:
    """What threads and replies share: an author, a body, a revision, moderation and deletion."""

    id: str
    community_id: str
    author_id: str | None
    body: Body
    created_at: datetime
    revision: int = 1
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    visibility: Visibility = Visibility.VISIBLE
    reactions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        """Neither deleted nor hidden nor removed: what members see."""
        return self.deleted_at is None and self.visibility is Visibility.VISIBLE

    def visible_to(self, viewer: Viewer) -> bool:
        """Moderators still see hidden posts (to restore them); nobody sees removed/deleted."""
        if self.deleted_at is not None or self.visibility is Visibility.REMOVED:
            return False
        return self.visibility is Visibility.VISIBLE or viewer.is_moderator

    def require_editable_by(self, viewer: Viewer) -> None:
        """Only the author edits, while the post is live and they may still post."""
        viewer.require_post()
        if self.author_id != viewer.user_id:
            raise Forbidden("Only the author can edit this.", code="not-the-author")
        if not self.live:
            raise Conflict("This can no longer be edited.", code="not-editable")

    def require_deletable_by(self, viewer: Viewer) -> None:
        """The author or a moderator deletes."""
        if self.deleted_at is not None:
            raise Conflict("Already deleted.", code="already-deleted")
        if self.author_id == viewer.user_id and viewer.is_member:
            return
        if viewer.is_moderator:
            return
        raise Forbidden("Only the author or a moderator can delete this.", code="not-the-author")

    def as_revision(self) -> "Revision":
        """The post as it reads now, for the history before an edit."""
        return Revision(
            self.id, self.revision, None, self.body.markdown, self.edited_at or self.created_at
        )

    def edited(self, at: datetime, **changes: Any) -> Self:
        """The next revision of the post, with ``changes``."""
        return replace(self, revision=self.revision + 1, edited_at=at, **changes)

    def deleted(self, at: datetime) -> Self:
        """The tombstone: the post keeps its place (a reply's children hang on it), its words
        and reactions go, so nothing deleted lingers in storage."""
        return replace(self, deleted_at=at, body=BLANK, reactions={})

    def reacted(self, user_id: str, reaction: str, *, on: bool) -> dict[str, tuple[str, ...]]:
        """The reactions after ``user_id`` adds (``on``) or withdraws a reaction."""
        users = [u for u in self.reactions.get(reaction, ()) if u != user_id]
        if on:
            users.append(user_id)
        updated = {**self.reactions, reaction: tuple(users)}
        return {name: who for name, who in updated.items() if who}


@dataclass(frozen=True)
class Thread(Post):
    """A discussion: an opening post with a title, filed under a category and tags."""

    title: str = ""
    category: str | None = None
    tags: tuple[str, ...] = ()
    last_activity_at: datetime | None = None
    reply_count: int = 0
    pinned: bool = False
    locked: bool = False
    followers: tuple[str, ...] = ()
    linked_event_id: str | None = None
    recap_id: str | None = None

    def as_revision(self) -> "Revision":
        """The opening post as it reads now, with its title."""
        return replace(super().as_revision(), title=self.title)

    def require_replyable(self) -> None:
        """Replies need a live, unlocked thread."""
        if not self.live:
            raise Conflict("This thread is not open for replies.", code="thread-closed")
        self.require_unlocked()

    def require_unlocked(self) -> None:
        """A locked thread is frozen: no replies, no reactions (added or withdrawn)."""
        if self.locked:
            raise Conflict("This thread is locked by the moderators.", code="thread-locked")

    def followed_by(self, user_id: str) -> "Thread":
        """The thread with ``user_id`` among its followers."""
        if user_id in self.followers:
            return self
        return replace(self, followers=(*self.followers, user_id))


@dataclass(frozen=True)
class Reply(Post):
    """A reply in a thread, possibly to another reply (a threaded conversation)."""

    thread_id: str = ""
    parent_id: str | None = None


@dataclass(frozen=True)
class Revision:
    """An earlier version of a post, kept when it was edited."""

    post_id: str
    revision: int
    title: str | None
    markdown: str
    created_at: datetime
