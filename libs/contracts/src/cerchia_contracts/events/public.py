"""What integrators receive: ``membership.public.v1``, ``content.public.v1``, ``events.public.v1``.

The public topics are the integrators' view of the platform. Each event is derived, in the same
transaction, from one event of the services' internal topics (``cerchia_contracts.public_views``)
and carries **no personal data**: no user ids, names, addresses, handles or bodies, nothing from
a private or unlisted community and nothing from a members-only gathering. What remains is what
anyone can see of a public community: its description, its discussions' titles and shape, its
library and its public gatherings. Each public event's ``id`` is derived from the internal event
it mirrors, so a republished mirror is recognisably the same event.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData
from cerchia_contracts.events.content.discussions import PostKind
from cerchia_contracts.events.gatherings import GatheringFormat
from cerchia_contracts.events.membership.communities import JoinPolicy, Visibility

# ----------------------------------------------------------------------------- membership.public.v1


class PublicCommunityFact(EventData):
    """Fields every public community event carries."""

    community_id: str = Field(description="Id of the community.")


class PublicCommunityProfile(PublicCommunityFact):
    """A public community's description, as its public page shows it (full state)."""

    slug: str = Field(description="Unique URL name.")
    name: str = Field(description="Display name.")
    purpose: str = Field(description="Mission statement: why the community exists.")
    audience: str = Field(description="Who the community is for.")
    tags: tuple[str, ...] = Field(default=(), description="Topics.")
    language: Literal["it", "en"] = Field(description="Main language of the community.")
    join_policy: JoinPolicy = Field(description="open, application or invite_only.")
    capacity: int = Field(description="Maximum number of members.")
    code_of_conduct_version: int = Field(description="Current code of conduct version.")


class PublicCommunityCreatedV1(CloudEvent[PublicCommunityProfile]):
    """A public community was founded."""

    type: Literal["cerchia.membership.public_community_created.v1"] = Field(
        default="cerchia.membership.public_community_created.v1", description="Event type."
    )


class PublicCommunityUpdatedV1(CloudEvent[PublicCommunityProfile]):
    """A public community's description, policy or capacity changed (or it became public)."""

    type: Literal["cerchia.membership.public_community_updated.v1"] = Field(
        default="cerchia.membership.public_community_updated.v1", description="Event type."
    )


class PublicCommunityWithdrawn(PublicCommunityFact):
    """A community stopped being public: forget what you keep about it."""

    visibility: Visibility = Field(description="Its visibility now: unlisted or private.")


class PublicCommunityWithdrawnV1(CloudEvent[PublicCommunityWithdrawn]):
    """A community is no longer public; nothing more of it will be published."""

    type: Literal["cerchia.membership.public_community_withdrawn.v1"] = Field(
        default="cerchia.membership.public_community_withdrawn.v1", description="Event type."
    )


class PublicCommunityArchivedV1(CloudEvent[PublicCommunityFact]):
    """A public community was archived: read-only from now on."""

    type: Literal["cerchia.membership.public_community_archived.v1"] = Field(
        default="cerchia.membership.public_community_archived.v1", description="Event type."
    )


class PublicCodeOfConduct(PublicCommunityFact):
    """A new version of a public community's code of conduct."""

    version: int = Field(description="The new current version (1, 2, ...).")


class PublicCodeOfConductPublishedV1(CloudEvent[PublicCodeOfConduct]):
    """A public community published a new code of conduct version."""

    type: Literal["cerchia.membership.public_code_of_conduct_published.v1"] = Field(
        default="cerchia.membership.public_code_of_conduct_published.v1",
        description="Event type.",
    )


# -------------------------------------------------------------------------------- content.public.v1


class PublicThreadFact(EventData):
    """Fields every public discussion event carries."""

    community_id: str = Field(description="Id of the public community.")
    thread_id: str = Field(description="Id of the thread.")
    thread_title: str = Field(description="The thread's current title.")


class PublicThreadCreated(PublicThreadFact):
    """A thread was opened in a public community."""

    category: str | None = Field(default=None, description="Category the thread is filed in.")
    tags: tuple[str, ...] = Field(default=(), description="Tags of the thread.")
    linked_event_id: str | None = Field(
        default=None, description="The community event this thread recaps, if it is a recap."
    )


class PublicThreadCreatedV1(CloudEvent[PublicThreadCreated]):
    """A thread was opened in a public community."""

    type: Literal["cerchia.content.public_thread_created.v1"] = Field(
        default="cerchia.content.public_thread_created.v1", description="Event type."
    )


class PublicThreadEdited(PublicThreadFact):
    """A thread's opening post, title or tags were edited."""

    revision: int = Field(description="The post's revision after the edit (1 = first edit).")
    tags: tuple[str, ...] = Field(default=(), description="Tags after the edit.")


class PublicThreadEditedV1(CloudEvent[PublicThreadEdited]):
    """A thread of a public community was edited."""

    type: Literal["cerchia.content.public_thread_edited.v1"] = Field(
        default="cerchia.content.public_thread_edited.v1", description="Event type."
    )


class PublicThreadDeletedV1(CloudEvent[PublicThreadFact]):
    """A thread of a public community was deleted by its author."""

    type: Literal["cerchia.content.public_thread_deleted.v1"] = Field(
        default="cerchia.content.public_thread_deleted.v1", description="Event type."
    )


class PublicThreadPinnedV1(CloudEvent[PublicThreadFact]):
    """A moderator pinned a thread of a public community."""

    type: Literal["cerchia.content.public_thread_pinned.v1"] = Field(
        default="cerchia.content.public_thread_pinned.v1", description="Event type."
    )


class PublicThreadUnpinnedV1(CloudEvent[PublicThreadFact]):
    """A moderator unpinned a thread of a public community."""

    type: Literal["cerchia.content.public_thread_unpinned.v1"] = Field(
        default="cerchia.content.public_thread_unpinned.v1", description="Event type."
    )


class PublicThreadLockedV1(CloudEvent[PublicThreadFact]):
    """A moderator locked a thread of a public community: no more replies."""

    type: Literal["cerchia.content.public_thread_locked.v1"] = Field(
        default="cerchia.content.public_thread_locked.v1", description="Event type."
    )


class PublicThreadUnlockedV1(CloudEvent[PublicThreadFact]):
    """A moderator unlocked a thread of a public community."""

    type: Literal["cerchia.content.public_thread_unlocked.v1"] = Field(
        default="cerchia.content.public_thread_unlocked.v1", description="Event type."
    )


class PublicThreadMoved(PublicThreadFact):
    """A thread was filed in another category or given other tags."""

    previous_category: str | None = Field(default=None, description="Category before the move.")
    category: str | None = Field(default=None, description="Category after the move.")
    tags: tuple[str, ...] = Field(default=(), description="Tags after the move.")


class PublicThreadMovedV1(CloudEvent[PublicThreadMoved]):
    """A thread of a public community was recategorised."""

    type: Literal["cerchia.content.public_thread_moved.v1"] = Field(
        default="cerchia.content.public_thread_moved.v1", description="Event type."
    )


class PublicReply(PublicThreadFact):
    """A reply in a thread of a public community."""

    reply_id: str = Field(description="Id of the reply.")


class PublicReplyPosted(PublicReply):
    """A reply was posted."""

    parent_reply_id: str | None = Field(
        default=None, description="The reply it answers; None when it answers the thread."
    )


class PublicReplyPostedV1(CloudEvent[PublicReplyPosted]):
    """A reply was posted in a public community."""

    type: Literal["cerchia.content.public_reply_posted.v1"] = Field(
        default="cerchia.content.public_reply_posted.v1", description="Event type."
    )


class PublicReplyEdited(PublicReply):
    """A reply was edited by its author."""

    revision: int = Field(description="The reply's revision after the edit (1 = first edit).")


class PublicReplyEditedV1(CloudEvent[PublicReplyEdited]):
    """A reply in a public community was edited."""

    type: Literal["cerchia.content.public_reply_edited.v1"] = Field(
        default="cerchia.content.public_reply_edited.v1", description="Event type."
    )


class PublicReplyDeletedV1(CloudEvent[PublicReply]):
    """A reply in a public community was deleted by its author."""

    type: Literal["cerchia.content.public_reply_deleted.v1"] = Field(
        default="cerchia.content.public_reply_deleted.v1", description="Event type."
    )


class PublicReactionAdded(PublicThreadFact):
    """Someone reacted to a post."""

    post_kind: PostKind = Field(description="thread (its opening post) or reply.")
    post_id: str = Field(description="Id of the thread or reply reacted to.")
    reaction: str = Field(description="The reaction, e.g. 'thanks' or 'insightful'.")


class PublicReactionAddedV1(CloudEvent[PublicReactionAdded]):
    """A post of a public community got a reaction."""

    type: Literal["cerchia.content.public_reaction_added.v1"] = Field(
        default="cerchia.content.public_reaction_added.v1", description="Event type."
    )


class PublicResource(EventData):
    """A resource of a public community's library (link or note), after a change."""

    community_id: str = Field(description="Id of the public community.")
    resource_id: str = Field(description="Id of the resource.")
    title: str = Field(description="Title of the resource.")
    kind: str = Field(description="link or note.")
    url: str | None = Field(default=None, description="The link, for link resources.")
    tags: tuple[str, ...] = Field(default=(), description="Tags of the resource.")


class PublicResourceSharedV1(CloudEvent[PublicResource]):
    """A resource was added to a public community's library."""

    type: Literal["cerchia.content.public_resource_shared.v1"] = Field(
        default="cerchia.content.public_resource_shared.v1", description="Event type."
    )


class PublicResourceEditedV1(CloudEvent[PublicResource]):
    """A resource of a public community's library was edited."""

    type: Literal["cerchia.content.public_resource_edited.v1"] = Field(
        default="cerchia.content.public_resource_edited.v1", description="Event type."
    )


class PublicCourse(EventData):
    """A course of a public community."""

    community_id: str = Field(description="Id of the public community.")
    course_id: str = Field(description="Id of the course.")
    course_title: str = Field(description="Title of the course.")


class PublicCoursePublished(PublicCourse):
    """A course was published to the members."""

    lesson_count: int = Field(description="Lessons in the course when published.")


class PublicCoursePublishedV1(CloudEvent[PublicCoursePublished]):
    """A public community published a course."""

    type: Literal["cerchia.content.public_course_published.v1"] = Field(
        default="cerchia.content.public_course_published.v1", description="Event type."
    )


class PublicCourseEditedV1(CloudEvent[PublicCourse]):
    """A published course of a public community was edited."""

    type: Literal["cerchia.content.public_course_edited.v1"] = Field(
        default="cerchia.content.public_course_edited.v1", description="Event type."
    )


class PublicLesson(PublicCourse):
    """A lesson of a published course."""

    lesson_id: str = Field(description="Id of the lesson.")
    lesson_title: str = Field(description="Title of the lesson.")
    position: int = Field(description="1-based position of the lesson in the course.")


class PublicLessonPublishedV1(CloudEvent[PublicLesson]):
    """A lesson went live in a public community's course."""

    type: Literal["cerchia.content.public_lesson_published.v1"] = Field(
        default="cerchia.content.public_lesson_published.v1", description="Event type."
    )


class PublicLessonEditedV1(CloudEvent[PublicLesson]):
    """A live lesson of a public community's course was edited."""

    type: Literal["cerchia.content.public_lesson_edited.v1"] = Field(
        default="cerchia.content.public_lesson_edited.v1", description="Event type."
    )


# --------------------------------------------------------------------------------- events.public.v1


class PublicGathering(EventData):
    """A public gathering of a public community (never its address or online link)."""

    community_id: str = Field(description="Id of the public community.")
    gathering_id: str = Field(description="Id of the gathering (the API's event id).")
    title: str = Field(description="Title of the gathering.")
    format: GatheringFormat = Field(description="in_person, online or hybrid.")
    starts_at: datetime = Field(description="Start (UTC).")
    ends_at: datetime = Field(description="End (UTC).")
    time_zone: str = Field(description="IANA time zone the gathering is held in, e.g. Europe/Rome.")
    starts_at_local: str = Field(
        description="Start as wall-clock time in `time_zone`, ISO 8601 with its UTC offset."
    )
    series_id: str | None = Field(
        default=None, description="Id of the recurring series this occurrence belongs to, if any."
    )


class PublicGatheringScheduled(PublicGathering):
    """A public gathering was scheduled (one per occurrence of a series)."""

    capacity: int | None = Field(default=None, description="Seats; None for unlimited.")
    rsvp_deadline: datetime | None = Field(
        default=None, description="When RSVPs close (UTC); None means at the start."
    )
    occurrence_index: int | None = Field(
        default=None, description="0-based index within its series, if recurring."
    )


class PublicGatheringScheduledV1(CloudEvent[PublicGatheringScheduled]):
    """A public community scheduled a public gathering."""

    type: Literal["cerchia.events.public_gathering_scheduled.v1"] = Field(
        default="cerchia.events.public_gathering_scheduled.v1", description="Event type."
    )


class PublicGatheringChanged(PublicGathering):
    """A public gathering changed."""

    changed: tuple[str, ...] = Field(description="Names of the fields that changed.")
    previous_starts_at: datetime | None = Field(
        default=None, description="Start before the change (UTC), when the time changed."
    )


class PublicGatheringChangedV1(CloudEvent[PublicGatheringChanged]):
    """A public gathering was changed."""

    type: Literal["cerchia.events.public_gathering_changed.v1"] = Field(
        default="cerchia.events.public_gathering_changed.v1", description="Event type."
    )


class PublicGatheringCancelledV1(CloudEvent[PublicGathering]):
    """A public gathering was cancelled."""

    type: Literal["cerchia.events.public_gathering_cancelled.v1"] = Field(
        default="cerchia.events.public_gathering_cancelled.v1", description="Event type."
    )


class PublicRecap(PublicGathering):
    """A recap of a past public gathering was published or edited."""

    recap_id: str = Field(description="Id of the recap (stable across edits).")
    revision: int = Field(description="1 when first published, then one more per edit.")
    attendee_count: int = Field(description="Confirmed attendees at the end of the gathering.")


class PublicRecapPublishedV1(CloudEvent[PublicRecap]):
    """A public gathering's recap was published or edited."""

    type: Literal["cerchia.events.public_recap_published.v1"] = Field(
        default="cerchia.events.public_recap_published.v1", description="Event type."
    )
