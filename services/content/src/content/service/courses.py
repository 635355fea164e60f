"""Courses: moderators draft, edit and publish them; members browse and enrol."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cerchia_chassis.domain.cursors import Page, decode_optional, page_of
from cerchia_chassis.domain.errors import NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.events import content as c
from content.domain import limits
from content.domain.access import Viewer
from content.domain.discussions import new_id
from content.domain.library import Course, Lesson, Progress
from content.domain.markup import render
from content.service.access import viewer_in
from content.service.ports import Ports


@dataclass(frozen=True)
class CourseDetail:
    """A course, the lessons the caller may see in order, and the caller's progress."""

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


async def lesson_published(
    course: Course, lesson: Lesson, *, actor_id: str, now: datetime, ports: Ports, session: Session
) -> c.LessonPublishedV1:
    """The event of a lesson going live, naming the members enrolled at the time."""
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
        viewer = await viewer_in(ports.communities, community_id, user_id, session)
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
    viewer = await viewer_in(ports.communities, course.community_id, user_id, session)
    viewer.require_read()
    if not course.visible_to(viewer):
        raise NotFound("No such course.")
    return course, viewer


async def edit_course(
    course_id: str, user_id: str, *, title: str | None, summary: str | None, ports: Ports
) -> Course:
    """A moderator changes a course's title or summary; a published course announces it."""
    now = datetime.now(UTC)
    new_title = limits.title(title) if title is not None else None
    new_summary = (
        render(summary, max_length=limits.RESOURCE_DESCRIPTION_MAX, what="summary")
        if summary is not None
        else None
    )

    async def work(session: Session) -> Course:
        course, viewer = await readable_course(course_id, user_id, ports=ports, session=session)
        viewer.require_moderator()
        edited = replace(
            course,
            title=new_title or course.title,
            summary=new_summary or course.summary,
            edited_at=now,
        )
        await ports.library.save_course(edited, session)
        if edited.published:
            await ports.outbox.add(
                session,
                c.CourseEditedV1.new(
                    subject=edited.community_id,
                    time=now,
                    data=c.CourseEdited(
                        **course_fact(edited, user_id), excerpt=edited.summary.excerpt()
                    ),
                ),
            )
        return edited

    course = await ports.transactions.run(work)
    ports.outbox.committed()
    return course


async def course_detail(course_id: str, user_id: str, *, ports: Ports) -> CourseDetail:
    """A course with the lessons the caller may see (drafts: moderators) and their progress."""
    course, viewer = await readable_course(course_id, user_id, ports=ports)
    lessons = await ports.library.lessons(course_id)
    return CourseDetail(
        course=course,
        lessons=[lesson for lesson in lessons if lesson.visible_to(viewer, course)],
        progress=await ports.library.progress(course_id, user_id),
    )


async def list_courses(
    community_id: str, user_id: str, *, cursor: str | None, limit: int, ports: Ports
) -> Page[Course]:
    """Published courses, newest first; moderators see drafts too."""
    viewer = await viewer_in(ports.communities, community_id, user_id)
    viewer.require_read()
    after = decode_optional(cursor, arity=2)
    found = await ports.library.courses(
        community_id, after=after, limit=limit + 1, drafts=viewer.is_moderator
    )
    return page_of(found, limit, lambda course: (course.created_at, course.id))


async def publish_course(course_id: str, user_id: str, *, ports: Ports) -> Course:
    """A moderator publishes a draft course; its lessons that are not drafts go live with it."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Course:
        course, viewer = await readable_course(course_id, user_id, ports=ports, session=session)
        viewer.require_moderator()
        course.require_publishable()
        published = replace(course, published_at=now)
        await ports.library.save_course(published, session)
        live = [
            replace(lesson, published_at=now)
            for lesson in await ports.library.lessons(course.id, session)
            if not lesson.draft
        ]
        for lesson in live:
            await ports.library.save_lesson(lesson, session)
        await ports.outbox.add(
            session,
            c.CoursePublishedV1.new(
                subject=course.community_id,
                time=now,
                data=c.CoursePublished(
                    **course_fact(published, user_id),
                    excerpt=published.summary.excerpt(),
                    lesson_count=published.published_lessons,
                ),
            ),
            *[
                await lesson_published(
                    published, lesson, actor_id=user_id, now=now, ports=ports, session=session
                )
                for lesson in live
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
