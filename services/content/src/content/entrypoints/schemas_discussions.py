"""Request and response bodies of the discussions API."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.text import Line, Text
from content.domain.discussions import Reply, Revision, Thread
from content.domain.limits import LESSON_BODY_MAX
from content.entrypoints.schemas import PersonOut

ReactionName = Literal["like", "love", "insightful", "thanks", "laugh", "celebrate"]


class NewThreadRequest(BaseModel):
    """Open a thread."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "How do you run a retrospective?",
                    "body": "We tried **start/stop/continue**. Ideas, @ada?",
                    "tags": ["agile", "retro"],
                    "category": "practice",
                }
            ]
        },
    )

    title: Line = Field(min_length=1, max_length=200)
    body: Text = Field(min_length=1, max_length=20_000, description="Markdown.")
    tags: list[Line] = Field(default_factory=list, max_length=5)
    category: Line | None = Field(default=None, max_length=32)


class EditThreadRequest(BaseModel):
    """Edit a thread's opening post (the previous version is kept)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"body": "Updated: see the notes."}]}
    )

    title: Line | None = Field(default=None, min_length=1, max_length=200)
    body: Text | None = Field(default=None, min_length=1, max_length=20_000)
    tags: list[Line] | None = Field(default=None, max_length=5)


class NewReplyRequest(BaseModel):
    """Reply in a thread, optionally to another reply."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"body": "Try a timeline first.", "parent_id": None}]},
    )

    body: Text = Field(min_length=1, max_length=20_000, description="Markdown.")
    parent_id: Line | None = Field(default=None, max_length=64)


class EditReplyRequest(BaseModel):
    """Edit a reply (the previous version is kept)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"body": "Fixed."}]})

    body: Text = Field(min_length=1, max_length=20_000)


class MoveThreadRequest(BaseModel):
    """Refile a thread (moderators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"category": "announcements", "tags": ["meta"]}]},
    )

    category: Line | None = Field(default=None, max_length=32)
    tags: list[Line] | None = Field(default=None, max_length=5)


class ReactionsOut(BaseModel):
    """Counts per reaction, and which ones the caller gave."""

    counts: dict[str, int]
    mine: list[str]


def reactions_out(reactions: dict[str, tuple[str, ...]], user_id: str) -> ReactionsOut:
    """The caller's view of a post's reactions."""
    return ReactionsOut(
        counts={name: len(who) for name, who in reactions.items()},
        mine=sorted(name for name, who in reactions.items() if user_id in who),
    )


class ThreadOut(BaseModel):
    """A thread as a reader sees it."""

    id: str
    community_id: str
    title: str
    author: PersonOut | None = Field(description="None once the author was erased.")
    body_markdown: str
    body_html: str = Field(description="Rendered and sanitized: safe to insert as HTML.")
    excerpt: str
    category: str | None
    tags: list[str]
    created_at: datetime
    edited_at: datetime | None
    revision: int
    last_activity_at: datetime | None
    reply_count: int
    pinned: bool
    locked: bool
    visibility: str = Field(description="visible, or hidden (shown to moderators only).")
    following: bool
    unread: bool
    reactions: ReactionsOut
    linked_event_id: str | None = Field(description="The gathering a recap thread is about.")


def thread_out(
    thread: Thread,
    *,
    user_id: str,
    people: dict[str, PersonOut],
    read_at: datetime | None,
) -> ThreadOut:
    """The response for one thread."""
    activity = thread.last_activity_at or thread.created_at
    return ThreadOut(
        id=thread.id,
        community_id=thread.community_id,
        title=thread.title,
        author=people.get(thread.author_id) if thread.author_id else None,
        body_markdown=thread.body.markdown,
        body_html=thread.body.html,
        excerpt=thread.body.excerpt(),
        category=thread.category,
        tags=list(thread.tags),
        created_at=thread.created_at,
        edited_at=thread.edited_at,
        revision=thread.revision,
        last_activity_at=thread.last_activity_at,
        reply_count=thread.reply_count,
        pinned=thread.pinned,
        locked=thread.locked,
        visibility=thread.visibility.value,
        following=user_id in thread.followers,
        unread=read_at is None or activity > read_at,
        reactions=reactions_out(thread.reactions, user_id),
        linked_event_id=thread.linked_event_id,
    )


class ThreadPage(BaseModel):
    """A page of threads."""

    items: list[ThreadOut]
    next_cursor: str | None


class ReplyOut(BaseModel):
    """A reply; a deleted one keeps its place in the tree without its text."""

    id: str
    thread_id: str
    parent_id: str | None
    author: PersonOut | None
    body_markdown: str | None
    body_html: str | None
    created_at: datetime
    edited_at: datetime | None
    revision: int
    deleted: bool
    visibility: str
    reactions: ReactionsOut


def reply_out(reply: Reply, *, user_id: str, people: dict[str, PersonOut]) -> ReplyOut:
    """The response for one reply."""
    deleted = reply.deleted_at is not None
    return ReplyOut(
        id=reply.id,
        thread_id=reply.thread_id,
        parent_id=reply.parent_id,
        author=None if deleted or not reply.author_id else people.get(reply.author_id),
        body_markdown=None if deleted else reply.body.markdown,
        body_html=None if deleted else reply.body.html,
        created_at=reply.created_at,
        edited_at=reply.edited_at,
        revision=reply.revision,
        deleted=deleted,
        visibility=reply.visibility.value,
        reactions=reactions_out({} if deleted else reply.reactions, user_id),
    )


class ReplyPage(BaseModel):
    """A page of replies in posting order."""

    items: list[ReplyOut]
    next_cursor: str | None


class RevisionOut(BaseModel):
    """An earlier version of a post."""

    revision: int
    title: str | None
    body_markdown: str
    created_at: datetime = Field(description="When this version was written.")


def revision_out(revision: Revision) -> RevisionOut:
    """The response for one earlier version."""
    return RevisionOut(
        revision=revision.revision,
        title=revision.title,
        body_markdown=revision.markdown,
        created_at=revision.created_at,
    )


class CategoryOut(BaseModel):
    """A category in use and how many threads it holds."""

    name: str
    threads: int


class PreviewRequest(BaseModel):
    """Markdown to render as it would be posted."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"markdown": "**Bold** idea, @ada?"}]},
    )

    markdown: Text = Field(max_length=LESSON_BODY_MAX, description="Markdown; may be empty.")


class PreviewOut(BaseModel):
    """The rendered draft."""

    html: str = Field(description="Rendered and sanitized exactly as a post would be.")
    mentions: list[str] = Field(description="The handles the text @mentions, lowercased.")
