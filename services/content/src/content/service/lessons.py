"""Lessons: moderators add, edit and publish them; enrolled members read and complete them."""

from dataclasses import replace
from datetime import UTC, datetime

from cerchia_chassis.domain.errors import Conflict, NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import content as c
from content.domain import limits
from content.domain.access import Viewer
from content.domain.discussions import new_id
from content.domain.library import Course, Lesson, Progress
from content.domain.markup import render
from content.service.courses import course_fact, lesson_published, readable_course
from content.service.ports import Ports


async def add_lesson(
    course_id: str, user_id: str, *, title: str, body: str, draft: bool = False, ports: Ports
) -> Lesson:
    """A moderator appends a lesson. Unless it is a draft it goes live with its course, or at
    once in a published course, where the enrolled are told."""
    now = datetime.now(UTC)
    rendered = render(body, max_length=limits.LESSON_BODY_MAX)

    async def work(session: Session) -> Lesson:
        course, viewer = await readable_course(course_id, user_id, ports=ports, session=session)
        viewer.require_moderator()
        live = course.published and not draft
        lesson = Lesson(
            id=new_id(),
            course_id=course.id,
            community_id=course.community_id,
            title=limits.title(title),
            body=rendered,
            position=course.lesson_count + 1,
            created_at=now,
            draft=draft,
            published_at=now if live else None,
        )
        await ports.library.add_lesson(lesson, session)
        await ports.library.save_course(
            replace(
                course,
                lesson_count=course.lesson_count + 1,
                published_lessons=course.published_lessons + (0 if draft else 1),
            ),
            session,
        )
        if live:
            await ports.outbox.add(
                session,
                await lesson_published(
                    course, lesson, actor_id=user_id, now=now, ports=ports, session=session
                ),
            )
        return lesson

    lesson = await ports.transactions.run(work)
    ports.outbox.committed()
    return lesson


async def _lesson_in_course(
    lesson_id: str, user_id: str, *, ports: Ports, session: Session = None
) -> tuple[Lesson, Course, Viewer]:
    lesson = await ports.library.lesson(lesson_id, session)
    if lesson is None:
        raise NotFound("No such lesson.")
    course, viewer = await readable_course(lesson.course_id, user_id, ports=ports, session=session)
    if not lesson.visible_to(viewer, course):
        raise NotFound("No such lesson.")
    return lesson, course, viewer


async def edit_lesson(
    lesson_id: str, user_id: str, *, title: str | None, body: str | None, ports: Ports
) -> Lesson:
    """A moderator edits a lesson; members are told only of changes to a live lesson."""
    now = datetime.now(UTC)
    new_title = limits.title(title) if title is not None else None
    new_body = render(body, max_length=limits.LESSON_BODY_MAX) if body is not None else None

    async def work(session: Session) -> Lesson:
        lesson, course, viewer = await _lesson_in_course(
            lesson_id, user_id, ports=ports, session=session
        )
        viewer.require_moderator()
        edited = replace(
            lesson, title=new_title or lesson.title, body=new_body or lesson.body, edited_at=now
        )
        await ports.library.save_lesson(edited, session)
        if edited.live_in(course):
            await ports.outbox.add(
                session,
                c.LessonEditedV1.new(
                    subject=course.community_id,
                    time=now,
                    data=c.LessonEdited(
                        **course_fact(course, user_id),
                        lesson_id=edited.id,
                        lesson_title=edited.title,
                        position=edited.position,
                        excerpt=edited.body.excerpt(),
                    ),
                ),
            )
        return edited

    lesson = await ports.transactions.run(work)
    ports.outbox.committed()
    return lesson


async def publish_lesson(lesson_id: str, user_id: str, *, ports: Ports) -> Lesson:
    """A moderator publishes a draft lesson: live at once in a published course (the enrolled
    are told), otherwise together with its course."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Lesson:
        lesson, course, viewer = await _lesson_in_course(
            lesson_id, user_id, ports=ports, session=session
        )
        viewer.require_moderator()
        lesson.require_draft()
        published = replace(lesson, draft=False, published_at=now if course.published else None)
        counted = replace(course, published_lessons=course.published_lessons + 1)
        await ports.library.save_lesson(published, session)
        await ports.library.save_course(counted, session)
        if course.published:
            await ports.outbox.add(
                session,
                await lesson_published(
                    counted, published, actor_id=user_id, now=now, ports=ports, session=session
                ),
            )
        return published

    lesson = await ports.transactions.run(work)
    ports.outbox.committed()
    return lesson


async def read_lesson(lesson_id: str, user_id: str, *, ports: Ports) -> tuple[Lesson, Course]:
    """A lesson the caller may see: live ones for readers, drafts too for moderators."""
    lesson, course, _ = await _lesson_in_course(lesson_id, user_id, ports=ports)
    return lesson, course


async def complete_lesson(lesson_id: str, user_id: str, *, ports: Ports) -> Progress:
    """An enrolled member completes a live lesson; the last one completes the course."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Progress:
        lesson, course, viewer = await _lesson_in_course(
            lesson_id, user_id, ports=ports, session=session
        )
        viewer.require_post()
        if not lesson.live_in(course):
            raise Conflict("This lesson is not published yet.", code="not-published")
        progress = await ports.library.progress(course.id, user_id, session)
        if progress is None:
            raise Conflict("Enrol in the course first.", code="not-enrolled")
        total = course.published_lessons
        updated, finished = progress.complete(lesson, total=total, now=now)
        if updated == progress:
            return progress
        await ports.library.save_progress(updated, session)
        events = _completed(course, lesson, updated, actor_id=user_id, finished=finished, at=now)
        await ports.outbox.add(session, *events)
        return updated

    progress = await ports.transactions.run(work)
    ports.outbox.committed()
    return progress


def _completed(
    course: Course,
    lesson: Lesson,
    progress: Progress,
    *,
    actor_id: str,
    finished: bool,
    at: datetime,
) -> list[AnyEvent]:
    """The lesson's completion, and the course's when it was the last one."""
    fact, total = course_fact(course, actor_id), course.published_lessons
    completed: list[AnyEvent] = [
        c.LessonCompletedV1.new(
            subject=course.community_id,
            time=at,
            data=c.LessonCompleted(
                **fact,
                lesson_id=lesson.id,
                lesson_title=lesson.title,
                completed_lessons=len(progress.completed_lesson_ids),
                total_lessons=total,
            ),
        )
    ]
    if finished:
        completed.append(
            c.CourseCompletedV1.new(
                subject=course.community_id,
                time=at,
                data=c.CourseCompleted(**fact, total_lessons=total),
            )
        )
    return completed
