"""Request and response bodies of the courses API: courses, lessons, progress."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.text import Line, Text
from content.domain.library import Course, Lesson, Progress
from content.entrypoints.schemas import PersonOut


class NewCourseRequest(BaseModel):
    """Draft a course (moderators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Facilitation 101", "summary": "Five short lessons."}]
        },
    )

    title: Line = Field(min_length=1, max_length=200)
    summary: Text = Field(min_length=1, max_length=5_000, description="Markdown.")


class EditCourseRequest(BaseModel):
    """Change a course's title or summary (moderators); only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"summary": "Five short lessons and a practice session."}]},
    )

    title: Line | None = Field(default=None, min_length=1, max_length=200)
    summary: Text | None = Field(default=None, min_length=1, max_length=5_000)


class NewLessonRequest(BaseModel):
    """Append a lesson to a course (moderators)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"title": "Opening a session", "body": "## Check-in\nAsk one question."},
                {"title": "Closing well", "body": "Work in progress.", "draft": True},
            ]
        },
    )

    title: Line = Field(min_length=1, max_length=200)
    body: Text = Field(min_length=1, max_length=50_000, description="Markdown.")
    draft: bool = Field(
        default=False,
        description=(
            "Hold the lesson back until it is published on its own; otherwise it goes live "
            "with its course (at once in a published course)."
        ),
    )


class EditLessonRequest(BaseModel):
    """Change a lesson (moderators); only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"body": "## Check-in\nAsk one open question."}]},
    )

    title: Line | None = Field(default=None, min_length=1, max_length=200)
    body: Text | None = Field(default=None, min_length=1, max_length=50_000)


class LessonSummary(BaseModel):
    """A lesson in a course's table of contents."""

    id: str
    title: str
    position: int = Field(description="Orders the lessons (drafts hidden from members count).")
    draft: bool = Field(description="Held back by the moderators (only they see drafts).")
    completed: bool


class LessonOut(BaseModel):
    """A lesson's content."""

    id: str
    course_id: str
    title: str
    position: int = Field(description="Orders the lessons (drafts hidden from members count).")
    draft: bool = Field(description="Held back by the moderators (only they see drafts).")
    published_at: datetime | None = Field(description="When members could first read it.")
    edited_at: datetime | None
    body_html: str = Field(description="Rendered and sanitized: safe to insert as HTML.")
    body_markdown: str


def lesson_out(lesson: Lesson) -> LessonOut:
    """The response for one lesson."""
    return LessonOut(
        id=lesson.id,
        course_id=lesson.course_id,
        title=lesson.title,
        position=lesson.position,
        draft=lesson.draft,
        published_at=lesson.published_at,
        edited_at=lesson.edited_at,
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
    summary_markdown: str
    summary_html: str = Field(description="Rendered and sanitized: safe to insert as HTML.")
    author: PersonOut | None = Field(description="None once the author was erased.")
    created_at: datetime
    edited_at: datetime | None
    published_at: datetime | None = Field(description="None while the course is a draft.")
    lesson_count: int = Field(description="Lessons members see (drafts not counted).")
    lessons: list[LessonSummary] = Field(description="In order; drafts for moderators only.")
    progress: ProgressOut | None = Field(description="The caller's, once enrolled.")


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
        summary_markdown=course.summary.markdown,
        summary_html=course.summary.html,
        author=people.get(course.author_id) if course.author_id else None,
        created_at=course.created_at,
        edited_at=course.edited_at,
        published_at=course.published_at,
        lesson_count=course.published_lessons,
        lessons=[
            LessonSummary(
                id=x.id, title=x.title, position=x.position, draft=x.draft, completed=x.id in done
            )
            for x in lessons
        ],
        progress=progress_out(progress, course.published_lessons) if progress else None,
    )


class CoursePage(BaseModel):
    """A page of courses (without lessons)."""

    items: list[CourseOut]
    next_cursor: str | None
