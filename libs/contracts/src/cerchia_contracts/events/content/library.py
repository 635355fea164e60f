"""``content.library.v1``: the resource library and courses, keyed by community id."""

from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

__all__ = [
    "CourseCompleted",
    "CourseCompletedV1",
    "CourseEdited",
    "CourseEditedV1",
    "CoursePublished",
    "CoursePublishedV1",
    "LessonCompleted",
    "LessonCompletedV1",
    "LessonEdited",
    "LessonEditedV1",
    "LessonPublished",
    "LessonPublishedV1",
    "MemberEnrolled",
    "MemberEnrolledV1",
    "ResourceEdited",
    "ResourceEditedV1",
    "ResourceMarkedUseful",
    "ResourceMarkedUsefulV1",
    "ResourceShared",
    "ResourceSharedV1",
]


class LibraryFact(EventData):
    """Fields every library event carries."""

    community_id: str = Field(description="Id of the community.")
    actor_id: str | None = Field(
        description="User who caused the change (None once that user has been erased)."
    )


class ResourceShared(LibraryFact):
    """A member shared a link or a note in the community's library."""

    resource_id: str = Field(description="Id of the resource.")
    title: str = Field(description="Title of the resource.")
    kind: str = Field(description="article, tool, video, book, template, podcast, course or note.")
    url: str | None = Field(default=None, description="The link shared (None for a note).")
    excerpt: str = Field(description="The description as plain text, cut to about 280 chars.")
    tags: tuple[str, ...] = Field(default=(), description="Tags of the resource.")


class ResourceSharedV1(CloudEvent[ResourceShared]):
    """A resource was shared."""

    type: Literal["cerchia.content.resource_shared.v1"] = Field(
        default="cerchia.content.resource_shared.v1", description="Event type."
    )


class ResourceEdited(LibraryFact):
    """The member who shared a resource changed it (the actor is that member)."""

    resource_id: str = Field(description="Id of the resource.")
    title: str = Field(description="Title of the resource after the edit.")
    kind: str = Field(description="article, tool, video, book, template, podcast, course or note.")
    url: str | None = Field(default=None, description="The link after the edit (None for a note).")
    excerpt: str = Field(description="The description as plain text, cut to about 280 chars.")
    tags: tuple[str, ...] = Field(default=(), description="Tags after the edit.")


class ResourceEditedV1(CloudEvent[ResourceEdited]):
    """A resource was edited."""

    type: Literal["cerchia.content.resource_edited.v1"] = Field(
        default="cerchia.content.resource_edited.v1", description="Event type."
    )


class ResourceMarkedUseful(LibraryFact):
    """A member marked a resource as useful (the actor is that member)."""

    resource_id: str = Field(description="Id of the resource.")
    title: str = Field(description="Title of the resource.")
    author_id: str | None = Field(description="Who shared it (None once erased).")
    useful_count: int = Field(description="How many members find it useful now.")


class ResourceMarkedUsefulV1(CloudEvent[ResourceMarkedUseful]):
    """A resource was marked useful."""

    type: Literal["cerchia.content.resource_marked_useful.v1"] = Field(
        default="cerchia.content.resource_marked_useful.v1", description="Event type."
    )


class CourseFact(LibraryFact):
    """Fields every course event carries."""

    course_id: str = Field(description="Id of the course.")
    course_title: str = Field(description="Title of the course.")
    course_author_id: str | None = Field(description="Who wrote the course (None once erased).")


class CoursePublished(CourseFact):
    """A course left draft: members can now enrol."""

    excerpt: str = Field(description="The course summary as plain text, cut to ~280 chars.")
    lesson_count: int = Field(description="How many lessons it has.")


class CoursePublishedV1(CloudEvent[CoursePublished]):
    """A course was published."""

    type: Literal["cerchia.content.course_published.v1"] = Field(
        default="cerchia.content.course_published.v1", description="Event type."
    )


class CourseEdited(CourseFact):
    """A moderator changed a published course's title or summary (drafts are not announced)."""

    excerpt: str = Field(description="The course summary as plain text, cut to ~280 chars.")


class CourseEditedV1(CloudEvent[CourseEdited]):
    """A published course was edited."""

    type: Literal["cerchia.content.course_edited.v1"] = Field(
        default="cerchia.content.course_edited.v1", description="Event type."
    )


class LessonPublished(CourseFact):
    """A lesson became available: with its course, or added later to a published course."""

    lesson_id: str = Field(description="Id of the lesson.")
    lesson_title: str = Field(description="Title of the lesson.")
    position: int = Field(description="1-based position of the lesson in the course.")
    enrolled_user_ids: tuple[str, ...] = Field(
        default=(), description="Members enrolled in the course at the time."
    )


class LessonPublishedV1(CloudEvent[LessonPublished]):
    """A lesson was published."""

    type: Literal["cerchia.content.lesson_published.v1"] = Field(
        default="cerchia.content.lesson_published.v1", description="Event type."
    )


class LessonEdited(CourseFact):
    """A moderator changed a lesson members can read (draft lessons are not announced)."""

    lesson_id: str = Field(description="Id of the lesson.")
    lesson_title: str = Field(description="Title of the lesson after the edit.")
    position: int = Field(description="Position of the lesson in the course (orders lessons).")
    excerpt: str = Field(description="The lesson as plain text, cut to about 280 chars.")


class LessonEditedV1(CloudEvent[LessonEdited]):
    """A published lesson was edited."""

    type: Literal["cerchia.content.lesson_edited.v1"] = Field(
        default="cerchia.content.lesson_edited.v1", description="Event type."
    )


class MemberEnrolled(CourseFact):
    """A member enrolled in a course (the actor is that member)."""


class MemberEnrolledV1(CloudEvent[MemberEnrolled]):
    """A member enrolled in a course."""

    type: Literal["cerchia.content.member_enrolled.v1"] = Field(
        default="cerchia.content.member_enrolled.v1", description="Event type."
    )


class LessonCompleted(CourseFact):
    """A member completed a lesson (the actor is that member)."""

    lesson_id: str = Field(description="Id of the lesson.")
    lesson_title: str = Field(description="Title of the lesson.")
    completed_lessons: int = Field(description="Lessons of the course the member has completed.")
    total_lessons: int = Field(description="Lessons the course has.")


class LessonCompletedV1(CloudEvent[LessonCompleted]):
    """A lesson was completed."""

    type: Literal["cerchia.content.lesson_completed.v1"] = Field(
        default="cerchia.content.lesson_completed.v1", description="Event type."
    )


class CourseCompleted(CourseFact):
    """A member completed every lesson of a course (the actor is that member)."""

    total_lessons: int = Field(description="Lessons the course has.")


class CourseCompletedV1(CloudEvent[CourseCompleted]):
    """A course was completed."""

    type: Literal["cerchia.content.course_completed.v1"] = Field(
        default="cerchia.content.course_completed.v1", description="Event type."
    )
