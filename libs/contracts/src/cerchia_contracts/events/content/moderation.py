"""``content.moderation.v1``: flags and moderators' decisions on posts, keyed by community id."""

from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

__all__ = [
    "ModerationAction",
    "ModerationTarget",
    "PostFlagged",
    "PostFlaggedV1",
    "PostModerated",
    "PostModeratedV1",
]

#: What can be flagged and moderated.
ModerationTarget = Literal["thread", "reply", "resource"]
#: What a moderator did: hide (reversible), restore, remove (final).
ModerationAction = Literal["hidden", "restored", "removed"]


class ModerationFact(EventData):
    """Fields every moderation event carries."""

    community_id: str = Field(description="Id of the community.")
    actor_id: str | None = Field(
        description="User who flagged or moderated (None once that user has been erased)."
    )
    target_kind: ModerationTarget = Field(description="thread, reply or resource.")
    target_id: str = Field(description="Id of the post or resource.")
    thread_id: str | None = Field(
        default=None, description="The thread the post belongs to (None for resources)."
    )
    title: str = Field(description="Title of the thread or resource concerned.")
    author_id: str | None = Field(description="Author of the flagged content (None once erased).")


class PostFlagged(ModerationFact):
    """A member flagged content for the moderators' queue."""

    flag_id: str = Field(description="Id of the flag.")
    reason: str = Field(description="Why the member flagged it.")
    moderator_ids: tuple[str, ...] = Field(
        default=(), description="The community's owner and moderators: who should review it."
    )


class PostFlaggedV1(CloudEvent[PostFlagged]):
    """Content was flagged."""

    type: Literal["cerchia.content.post_flagged.v1"] = Field(
        default="cerchia.content.post_flagged.v1", description="Event type."
    )


class PostModerated(ModerationFact):
    """A moderator hid, restored or removed content, with a recorded reason (the author is told)."""

    action: ModerationAction = Field(description="hidden, restored or removed.")
    reason: str = Field(description="The moderator's recorded reason.")
    resolved_flag_ids: tuple[str, ...] = Field(
        default=(), description="Flags this decision closed."
    )


class PostModeratedV1(CloudEvent[PostModerated]):
    """Content was moderated."""

    type: Literal["cerchia.content.post_moderated.v1"] = Field(
        default="cerchia.content.post_moderated.v1", description="Event type."
    )
