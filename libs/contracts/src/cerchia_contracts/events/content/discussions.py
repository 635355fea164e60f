"""``content.discussions.v1``: threads, replies, reactions and mentions, keyed by community id.

Every event names the people a notification could go to (author, followers, mentioned
members, the person replied to), so the notifications service fans out without calling back.
``follower_ids`` is the thread's followers when the event happened; it may include the actor,
whom consumers skip.
"""

from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

__all__ = [
    "MemberMentioned",
    "MemberMentionedV1",
    "PostKind",
    "ReactionAdded",
    "ReactionAddedV1",
    "ReplyDeleted",
    "ReplyDeletedV1",
    "ReplyEdited",
    "ReplyEditedV1",
    "ReplyPosted",
    "ReplyPostedV1",
    "ThreadCreated",
    "ThreadCreatedV1",
    "ThreadDeleted",
    "ThreadDeletedV1",
    "ThreadEdited",
    "ThreadEditedV1",
    "ThreadLocked",
    "ThreadLockedV1",
    "ThreadMoved",
    "ThreadMovedV1",
    "ThreadPinned",
    "ThreadPinnedV1",
    "ThreadUnlocked",
    "ThreadUnlockedV1",
    "ThreadUnpinned",
    "ThreadUnpinnedV1",
]

#: What a post is: a thread's opening post or a reply in it.
PostKind = Literal["thread", "reply"]


class ThreadFact(EventData):
    """Fields every discussion event carries."""

    community_id: str = Field(description="Id of the community the thread belongs to.")
    actor_id: str | None = Field(
        description="User who caused the change (None once that user has been erased)."
    )
    thread_id: str = Field(description="Id of the thread.")
    thread_title: str = Field(description="The thread's current title.")
    thread_author_id: str | None = Field(
        description="Author of the thread's opening post (None once erased)."
    )


class ThreadCreated(ThreadFact):
    """A member opened a thread; the author follows it from now on."""

    category: str | None = Field(default=None, description="Category the thread is filed in.")
    tags: tuple[str, ...] = Field(default=(), description="Tags of the thread.")
    excerpt: str = Field(description="The opening post as plain text, cut to about 280 chars.")
    mentioned_user_ids: tuple[str, ...] = Field(
        default=(), description="Members @mentioned in the opening post (each also gets an event)."
    )
    linked_event_id: str | None = Field(
        default=None, description="The community event this thread recaps, if it is a recap."
    )


class ThreadCreatedV1(CloudEvent[ThreadCreated]):
    """A thread was created."""

    type: Literal["cerchia.content.thread_created.v1"] = Field(
        default="cerchia.content.thread_created.v1", description="Event type."
    )


class ThreadEdited(ThreadFact):
    """The author changed the opening post; the previous revision is kept in its history."""

    revision: int = Field(description="Revision number after the edit (the original is 1).")
    excerpt: str = Field(description="The new opening post as plain text, cut to ~280 chars.")
    tags: tuple[str, ...] = Field(default=(), description="Tags after the edit.")


class ThreadEditedV1(CloudEvent[ThreadEdited]):
    """A thread was edited."""

    type: Literal["cerchia.content.thread_edited.v1"] = Field(
        default="cerchia.content.thread_edited.v1", description="Event type."
    )


class ThreadDeleted(ThreadFact):
    """The author (or a moderator) deleted a thread; it disappears from lists and search."""


class ThreadDeletedV1(CloudEvent[ThreadDeleted]):
    """A thread was deleted (soft delete)."""

    type: Literal["cerchia.content.thread_deleted.v1"] = Field(
        default="cerchia.content.thread_deleted.v1", description="Event type."
    )


class ThreadFlagChanged(ThreadFact):
    """A moderator changed how the thread is shown or whether it takes replies."""

    follower_ids: tuple[str, ...] = Field(
        default=(), description="Members following the thread at the time."
    )


class ThreadPinned(ThreadFlagChanged):
    """A moderator pinned the thread to the top of its community's list."""


class ThreadPinnedV1(CloudEvent[ThreadPinned]):
    """A thread was pinned."""

    type: Literal["cerchia.content.thread_pinned.v1"] = Field(
        default="cerchia.content.thread_pinned.v1", description="Event type."
    )


class ThreadUnpinned(ThreadFlagChanged):
    """A moderator unpinned the thread."""


class ThreadUnpinnedV1(CloudEvent[ThreadUnpinned]):
    """A thread was unpinned."""

    type: Literal["cerchia.content.thread_unpinned.v1"] = Field(
        default="cerchia.content.thread_unpinned.v1", description="Event type."
    )


class ThreadLocked(ThreadFlagChanged):
    """A moderator locked the thread: no more replies."""


class ThreadLockedV1(CloudEvent[ThreadLocked]):
    """A thread was locked."""

    type: Literal["cerchia.content.thread_locked.v1"] = Field(
        default="cerchia.content.thread_locked.v1", description="Event type."
    )


class ThreadUnlocked(ThreadFlagChanged):
    """A moderator unlocked the thread: replies are welcome again."""


class ThreadUnlockedV1(CloudEvent[ThreadUnlocked]):
    """A thread was unlocked."""

    type: Literal["cerchia.content.thread_unlocked.v1"] = Field(
        default="cerchia.content.thread_unlocked.v1", description="Event type."
    )


class ThreadMoved(ThreadFlagChanged):
    """A moderator refiled the thread under another category and/or tags."""

    previous_category: str | None = Field(description="Category before the move.")
    category: str | None = Field(description="Category after the move.")
    tags: tuple[str, ...] = Field(default=(), description="Tags after the move.")


class ThreadMovedV1(CloudEvent[ThreadMoved]):
    """A thread was moved."""

    type: Literal["cerchia.content.thread_moved.v1"] = Field(
        default="cerchia.content.thread_moved.v1", description="Event type."
    )


class ReplyPosted(ThreadFact):
    """A member replied in a thread (to the opening post or to another reply)."""

    reply_id: str = Field(description="Id of the new reply.")
    parent_reply_id: str | None = Field(
        default=None, description="The reply answered, or None for a reply to the opening post."
    )
    parent_author_id: str | None = Field(
        default=None, description="Author of the post answered (thread author if no parent)."
    )
    excerpt: str = Field(description="The reply as plain text, cut to about 280 chars.")
    follower_ids: tuple[str, ...] = Field(
        default=(), description="Members following the thread (the replier now among them)."
    )
    mentioned_user_ids: tuple[str, ...] = Field(
        default=(), description="Members @mentioned in the reply (each also gets an event)."
    )


class ReplyPostedV1(CloudEvent[ReplyPosted]):
    """A reply was posted."""

    type: Literal["cerchia.content.reply_posted.v1"] = Field(
        default="cerchia.content.reply_posted.v1", description="Event type."
    )


class ReplyChanged(ThreadFact):
    """A change to one reply."""

    reply_id: str = Field(description="Id of the reply.")
    reply_author_id: str | None = Field(description="Author of the reply (None once erased).")


class ReplyEdited(ReplyChanged):
    """The author edited a reply; the previous revision is kept in its history."""

    revision: int = Field(description="Revision number after the edit (the original is 1).")
    excerpt: str = Field(description="The new text, plain, cut to about 280 chars.")


class ReplyEditedV1(CloudEvent[ReplyEdited]):
    """A reply was edited."""

    type: Literal["cerchia.content.reply_edited.v1"] = Field(
        default="cerchia.content.reply_edited.v1", description="Event type."
    )


class ReplyDeleted(ReplyChanged):
    """The author (or a moderator) deleted a reply; its place in the tree stays, its text goes."""


class ReplyDeletedV1(CloudEvent[ReplyDeleted]):
    """A reply was deleted (soft delete)."""

    type: Literal["cerchia.content.reply_deleted.v1"] = Field(
        default="cerchia.content.reply_deleted.v1", description="Event type."
    )


class ReactionAdded(ThreadFact):
    """A member reacted to a post with one of the fixed reactions."""

    post_kind: PostKind = Field(description="thread (its opening post) or reply.")
    post_id: str = Field(description="Id of the thread or reply reacted to.")
    post_author_id: str | None = Field(description="Author of that post (None once erased).")
    reaction: str = Field(
        description="The reaction: one of like, love, insightful, thanks, laugh, celebrate."
    )


class ReactionAddedV1(CloudEvent[ReactionAdded]):
    """A reaction was added."""

    type: Literal["cerchia.content.reaction_added.v1"] = Field(
        default="cerchia.content.reaction_added.v1", description="Event type."
    )


class MemberMentioned(ThreadFact):
    """A member was @mentioned in a post: one event per mentioned member."""

    mentioned_user_id: str = Field(description="The member mentioned.")
    post_kind: PostKind = Field(description="thread (its opening post) or reply.")
    post_id: str = Field(description="Id of the thread or reply that mentions them.")
    excerpt: str = Field(description="The post as plain text, cut to about 280 chars.")


class MemberMentionedV1(CloudEvent[MemberMentioned]):
    """A member was mentioned."""

    type: Literal["cerchia.content.member_mentioned.v1"] = Field(
        default="cerchia.content.member_mentioned.v1", description="Event type."
    )
