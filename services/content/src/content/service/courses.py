"""Courses: moderators draft and publish; members enrol, complete lessons, complete courses."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cerchia_contracts.events import content as c
from content.domain import limits
from content.domain.access import Viewer
from content.domain.discussions import new_id
from content.domain.errors import Conflict, NotFound
from content.domain.library import Course, Lesson, Progress
from content.domain.markup import render
from content.domain.pages import Page, decode, page_of
from content.service.access import viewer_in
from content.service.ports import Ports, Session


@dataclass(frozen=True)
class CourseDetail:
    """A course, its lessons in order, and the caller's progress."""

    course: Course
    lessons: list[Lesson]
    progress: Progress | None


def course_fact(course: Course, actor_id: str) -> dict[str, Any]:
    """The fields every course event carries."""
    return {
        "community_id": course.community_id,
        "actor_id": actor_id,
        "course_id": course.id,
        "course_title": course.title,
        "course_author_id": course.author_id,
    }


async def create_course(
    community_id: str, user_id: str, *, title: str, summary: str, ports: Ports
) -> Course:
    """A moderator drafts a course."""
    course = Course(
        id=new_id(),
        community_id=community_id,
        author_id=user_id,
        title=limits.title(title),
        summary=render(summary, max_length=limits.RESOURCE_DESCRIPTION_MAX, what="summary"),
        created_at=datetime.now(UTC),
    )

    async def work(session: Session) -> None:
        viewer = await viewer_in(ports.directory, community_id, user_id, session)
        viewer.require_moderator()
        await ports.library.add_course(course, session)

    await ports.transactions.run(work)
    return course


async def readable_course(
    course_id: str, user_id: str, *, ports: Ports, session: Session = None
) -> tuple[Course, Viewer]:
    """The course and the caller's standing, if the caller may see it (drafts: moderators)."""
    course = await ports.library.course(course_id, session)
    if course is None:
        raise NotFound("No such course.")
    viewer = await viewer_in(ports.directory, course.community_id, user_id, session)
    viewer.require_read()
    if not course.visible_to(viewer):
        raise NotFound("No such course.")
    return course, viewer


async def course_detail(course_id: str, user_id: str, *, ports: Ports) -> CourseDetail:
    """A course with its lessons and the caller's progress."""
    course, _ = await readable_course(course_id, user_id, ports=ports)
    return CourseDetail(
        course=course,
        lessons=await ports.library.lessons(course_id),
        progress=await ports.library.progress(course_id, user_id),
    )


async def list_courses(
    community_id: str, user_id: str, *, cursor: str | None, limit: int, ports: Ports
) -> Page[Course]:
    """Published courses, newest first; moderators see drafts too."""
    viewer = await viewer_in(ports.directory, community_id, user_id)
    viewer.require_read()
    after = decode(cursor, arity=2) if cursor else None
    found = await ports.library.courses(
        community_id, after=after, limit=limit + 1, drafts=viewer.is_moderator
    )
    return page_of(found, limit, lambda course: (course.created_at, course.id))


async def add_lesson(
    course_id: str, user_id: str, *, title: str, body: str, ports: Ports
) -> Lesson:
    """A moderator appends a lesson; in a published course it is announced to the enrolled."""
    now = datetime.now(UTC)
    rendered = render(body, max_length=limits.LESSON_BODY_MAX)

    async def work(session: Session) -> Lesson:
        course, viewer = await readable_course(course_id, user_id, ports=ports, session=session)
        viewer.require_moderator()
        lesson = Lesson(
            id=new_id(),
            course_id=course.id,
            community_id=course.community_id,
            title=limits.title(title),
            body=rendered,
            position=course.lesson_count + 1,
            created_at=now,
        )
        await ports.library.add_lesson(lesson, session)
        await ports.library.save_course(
            replace(course, lesson_count=course.lesson_count + 1), session
        )
        if course.published:
            await ports.outbox.add(
                session,
                await _lesson_published(
                    course, lesson, actor_id=user_id, now=now, ports=ports, session=session
                ),
            )
        return lesson

    lesson = await ports.transactions.run(work)
    ports.outbox.committed()
    return lesson


async def _lesson_published(
    course: Course, lesson: Lesson, *, actor_id: str, now: datetime, ports: Ports, session: Session
) -> c.LessonPublishedV1:
    return c.LessonPublishedV1.new(
        subject=course.community_id,
        time=now,
        data=c.LessonPublished(
            **course_fact(course, actor_id),
            lesson_id=lesson.id,
            lesson_title=lesson.title,
            position=lesson.position,
            enrolled_user_ids=tuple(await ports.library.enrolled(course.id, session)),
        ),
    )


async def publish_course(course_id: str, user_id: str, *, ports: Ports) -> Course:
    """A moderator publishes a draft course with its lessons."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Course:
        course, viewer = await readable_course(course_id, user_id, ports=ports, session=session)
        viewer.require_moderator()
        course.require_publishable()
        published = replace(course, published_at=now)
        await ports.library.save_course(published, session)
        lessons = await ports.library.lessons(course.id, session)
        await ports.outbox.add(
            session,
            c.CoursePublishedV1.new(
                subject=course.community_id,
                time=now,
                data=c.CoursePublished(
                    **course_fact(published, user_id),
                    excerpt=published.summary.excerpt(),
                    lesson_count=published.lesson_count,
                ),
            ),
            *[
                await _lesson_published(
                    published, lesson, actor_id=user_id, now=now, ports=ports, session=session
                )
                for lesson in lessons
            ],
        )
        return published

    course = await ports.transactions.run(work)
    ports.outbox.committed()
    return course


async def enrol(course_id: str, user_id: str, *, ports: Ports) -> Progress:
    """A member enrols in a published course (again is harmless)."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Progress:
        course, viewer = await readable_course(course_id, user_id, ports=ports, session=session)
        course.require_enrollable(viewer)
        existing = await ports.library.progress(course_id, user_id, session)
        if existing is not None:
            return existing
        progress = Progress(course_id=course_id, user_id=user_id, enrolled_at=now)
        await ports.library.save_progress(progress, session)
        await ports.outbox.add(
            session,
            c.MemberEnrolledV1.new(
                subject=course.community_id,
                time=now,
                data=c.MemberEnrolled(**course_fact(course, user_id)),
            ),
        )
        return progress

    progress = await ports.transactions.run(work)
    ports.outbox.committed()
    return progress


async def read_lesson(lesson_id: str, user_id: str, *, ports: Ports) -> tuple[Lesson, Course]:
    """A lesson of a course the caller can see."""
    lesson = await ports.library.lesson(lesson_id)
    if lesson is None:
        raise NotFound("No such lesson.")
    course, _ = await readable_course(lesson.course_id, user_id, ports=ports)
    return lesson, course


async def complete_lesson(lesson_id: str, user_id: str, *, ports: Ports) -> Progress:
    """An enrolled member completes a lesson; the last one completes the course."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Progress:
        lesson = await ports.library.lesson(lesson_id, session)
        if lesson is None:
            raise NotFound("No such lesson.")
        course, viewer = await readable_course(
            lesson.course_id, user_id, ports=ports, session=session
        )
        viewer.require_post()
        progress = await ports.library.progress(course.id, user_id, session)
        if progress is None:
            raise Conflict("Enrol in the course first.", code="not-enrolled")
        updated, finished = progress.complete(lesson, total=course.lesson_count, now=now)
        if updated == progress:
            return progress
        await ports.library.save_progress(updated, session)
        fact = course_fact(course, user_id)
        events: list[Any] = [
            c.LessonCompletedV1.new(
                subject=course.community_id,
                time=now,
                data=c.LessonCompleted(
                    **fact,
                    lesson_id=lesson.id,
                    lesson_title=lesson.title,
                    completed_lessons=len(updated.completed_lesson_ids),
                    total_lessons=course.lesson_count,
                ),
            )
        ]
        if finished:
            events.append(
                c.CourseCompletedV1.new(
                    subject=course.community_id,
                    time=now,
                    data=c.CourseCompleted(**fact, total_lessons=course.lesson_count),
                )
            )
        await ports.outbox.add(session, *events)
        return updated

    progress = await ports.transactions.run(work)
    ports.outbox.committed()
    return progress
