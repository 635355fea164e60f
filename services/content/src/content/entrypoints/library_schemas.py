"""Request and response bodies of the library API: resources and courses."""

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from content.domain.library import Course, Lesson, Progress, Resource
from content.entrypoints.responses import PersonOut

ResourceKind = Literal["article", "tool", "video", "book", "template", "podcast", "course", "note"]


class NewResourceRequest(BaseModel):
    """Share a link or a note."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Team Topologies",
                    "kind": "book",
                    "url": "https://teamtopologies.com/book",
                    "description": "Chapter 4 is **gold** for our discussion on platform teams.",
                    "tags": ["org-design"],
                }
            ]
        },
    )

    title: str = Field(min_length=1, max_length=200)
    kind: ResourceKind
    url: AnyHttpUrl | None = Field(default=None, description="http(s) only.")
    description: str | None = Field(default=None, max_length=5_000, description="Markdown.")
    tags: list[str] = Field(default_factory=list, max_length=5)


class ResourceOut(BaseModel):
    """A resource as a reader sees it."""

    id: str
    community_id: str
    title: str
    kind: str
    url: str | None
    description_html: str | None
    tags: list[str]
    author: PersonOut | None
    created_at: datetime
    useful_count: int
    useful_to_me: bool
    visibility: str


def resource_out(resource: Resource, *, user_id: str, people: dict[str, PersonOut]) -> ResourceOut:
    """The response for one resource."""
    return ResourceOut(
        id=resource.id,
        community_id=resource.community_id,
        title=resource.title,
        kind=resource.kind,
        url=resource.url,
        description_html=resource.description.html if resource.description else None,
        tags=list(resource.tags),
        author=people.get(resource.author_id) if resource.author_id else None,
        created_at=resource.created_at,
        useful_count=len(resource.useful_by),
        useful_to_me=user_id in resource.useful_by,
        visibility=resource.visibility.value,
    )


class ResourcePage(BaseModel):
    """A page of resources."""

    items: list[ResourceOut]
    next_cursor: str | None


class NewCourseRequest(BaseModel):
    """Draft a course (moderators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Facilitation 101", "summary": "Five short lessons."}]
        },
    )

    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=5_000, description="Markdown.")


class NewLessonRequest(BaseModel):
    """Append a lesson to a course (moderators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Opening a session", "body": "## Check-in\nAsk one question."}]
        },
    )

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=50_000, description="Markdown.")


class LessonSummary(BaseModel):
    """A lesson in a course's table of contents."""

    id: str
    title: str
    position: int
    completed: bool


class LessonOut(BaseModel):
    """A lesson's content."""

    id: str
    course_id: str
    title: str
    position: int
    body_html: str
    body_markdown: str


def lesson_out(lesson: Lesson) -> LessonOut:
    """The response for one lesson."""
    return LessonOut(
        id=lesson.id,
        course_id=lesson.course_id,
        title=lesson.title,
        position=lesson.position,
        body_html=lesson.body.html,
        body_markdown=lesson.body.markdown,
    )


class ProgressOut(BaseModel):
    """The caller's progress in a course."""

    enrolled_at: datetime
    completed_lesson_ids: list[str]
    completed_lessons: int
    total_lessons: int
    percent: int
    completed_at: datetime | None


def progress_out(progress: Progress, total: int) -> ProgressOut:
    """The response for a member's progress."""
    done = len(progress.completed_lesson_ids)
    return ProgressOut(
        enrolled_at=progress.enrolled_at,
        completed_lesson_ids=list(progress.completed_lesson_ids),
        completed_lessons=done,
        total_lessons=total,
        percent=100 * done // total if total else 0,
        completed_at=progress.completed_at,
    )


class CourseOut(BaseModel):
    """A course with its table of contents and the caller's progress."""

    id: str
    community_id: str
    title: str
    summary_html: str
    author: PersonOut | None
    created_at: datetime
    published_at: datetime | None
    lesson_count: int
    lessons: list[LessonSummary]
    progress: ProgressOut | None


def course_out(
    course: Course,
    *,
    lessons: list[Lesson],
    progress: Progress | None,
    people: dict[str, PersonOut],
) -> CourseOut:
    """The response for one course."""
    done = set(progress.completed_lesson_ids) if progress else set()
    return CourseOut(
        id=course.id,
        community_id=course.community_id,
        title=course.title,
        summary_html=course.summary.html,
        author=people.get(course.author_id) if course.author_id else None,
        created_at=course.created_at,
        published_at=course.published_at,
        lesson_count=course.lesson_count,
        lessons=[
            LessonSummary(id=x.id, title=x.title, position=x.position, completed=x.id in done)
            for x in lessons
        ],
        progress=progress_out(progress, course.lesson_count) if progress else None,
    )


class CoursePage(BaseModel):
    """A page of courses (without lessons)."""

    items: list[CourseOut]
    next_cursor: str | None
