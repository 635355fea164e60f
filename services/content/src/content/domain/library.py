"""The resource library and courses: kinds of resources, drafts, ordered lessons, progress."""

from dataclasses import dataclass
from datetime import datetime

from cerchia_chassis.domain.errors import Conflict, Forbidden
from content.domain.access import Viewer
from content.domain.discussions import Visibility
from content.domain.errors import InvalidContent
from content.domain.markup import Body

RESOURCE_KINDS = ("article", "tool", "video", "book", "template", "podcast", "course", "note")


def check_kind(kind: str) -> str:
    """The kind if known; raise InvalidContent otherwise."""
    if kind not in RESOURCE_KINDS:
        raise InvalidContent(f"Unknown kind {kind!r}; use one of {', '.join(RESOURCE_KINDS)}.")
    return kind


@dataclass(frozen=True)
class Resource:
    """A link or a note shared with the community."""

    id: str
    community_id: str
    author_id: str | None
    title: str
    kind: str
    url: str | None
    description: Body | None
    tags: tuple[str, ...]
    created_at: datetime
    useful_by: tuple[str, ...] = ()
    deleted_at: datetime | None = None
    visibility: Visibility = Visibility.VISIBLE
    edited_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.url is None and self.description is None:
            raise InvalidContent("Share a link, a note, or both.", code="empty")

    @property
    def live(self) -> bool:
        """Neither deleted nor hidden nor removed: what members see."""
        return self.deleted_at is None and self.visibility is Visibility.VISIBLE

    def visible_to(self, viewer: Viewer) -> bool:
        """Same rule as posts: moderators still see hidden resources."""
        if self.deleted_at is not None or self.visibility is Visibility.REMOVED:
            return False
        return self.visibility is Visibility.VISIBLE or viewer.is_moderator

    def require_editable_by(self, viewer: Viewer) -> None:
        """Only the member who shared it edits, while it is live and they may still post."""
        viewer.require_post()
        if self.author_id != viewer.user_id:
            raise Forbidden("Only the member who shared it can edit this.", code="not-the-author")
        if not self.live:
            raise Conflict("This can no longer be edited.", code="not-editable")


@dataclass(frozen=True)
class Lesson:
    """One lesson of a course, at a 1-based position (which orders lessons; drafts included).

    A draft lesson is held back by the moderators; the others go live with their course.
    """

    id: str
    course_id: str
    community_id: str
    title: str
    body: Body
    position: int
    created_at: datetime
    draft: bool = False
    published_at: datetime | None = None
    edited_at: datetime | None = None

    def live_in(self, course: "Course") -> bool:
        """Whether members can read it: not a draft, in a published course."""
        return course.published and not self.draft

    def visible_to(self, viewer: Viewer, course: "Course") -> bool:
        """Moderators see drafts (to finish them); readers see live lessons only."""
        return viewer.is_moderator or self.live_in(course)

    def require_draft(self) -> None:
        """Only a draft can be published."""
        if not self.draft:
            raise Conflict("The lesson is already published.", code="already-published")


@dataclass(frozen=True)
class Course:
    """A course: drafted by a moderator, then published for members to enrol."""

    id: str
    community_id: str
    author_id: str | None
    title: str
    summary: Body
    created_at: datetime
    published_at: datetime | None = None
    #: Every lesson, drafts included (the next lesson's position follows it).
    lesson_count: int = 0
    #: Lessons that are not drafts: what members see, and what completing the course takes.
    published_lessons: int = 0
    edited_at: datetime | None = None

    @property
    def published(self) -> bool:
        """Whether members can see it and enrol."""
        return self.published_at is not None

    def visible_to(self, viewer: Viewer) -> bool:
        """Published courses for readers; drafts for moderators only."""
        return self.published or viewer.is_moderator

    def require_publishable(self) -> None:
        """A course is published once, with at least one lesson that is not a draft."""
        if self.published:
            raise Conflict("The course is already published.", code="already-published")
        if self.published_lessons == 0:
            raise Conflict(
                "Add at least one lesson that is not a draft before publishing.",
                code="no-lessons",
            )

    def require_enrollable(self, viewer: Viewer) -> None:
        """Members who may post enrol in published courses."""
        viewer.require_post()
        if not self.published:
            raise Conflict("The course is not published yet.", code="not-published")


@dataclass(frozen=True)
class Progress:
    """One member's progress through one course."""

    course_id: str
    user_id: str
    enrolled_at: datetime
    completed_lesson_ids: tuple[str, ...] = ()
    completed_at: datetime | None = None

    def complete(self, lesson: Lesson, *, total: int, now: datetime) -> "tuple[Progress, bool]":
        """Progress after completing ``lesson``, and whether the course became complete now."""
        if lesson.course_id != self.course_id:
            raise Forbidden("That lesson belongs to another course.")
        if lesson.id in self.completed_lesson_ids:
            return self, False
        done = (*self.completed_lesson_ids, lesson.id)
        finished = self.completed_at is None and len(done) >= total
        return (
            Progress(
                course_id=self.course_id,
                user_id=self.user_id,
                enrolled_at=self.enrolled_at,
                completed_lesson_ids=done,
                completed_at=now if finished else self.completed_at,
            ),
            finished,
        )
