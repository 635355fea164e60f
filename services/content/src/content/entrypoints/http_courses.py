"""HTTP routes of courses and lessons: draft, edit, publish, enrol, read, complete."""

from fastapi import APIRouter, Response, status

from cerchia_chassis.auth import CurrentUser
from content.entrypoints.deps import Cursor, Deps, Limit
from content.entrypoints.schemas import documented, people_out
from content.entrypoints.schemas_courses import (
    CourseOut,
    CoursePage,
    EditCourseRequest,
    EditLessonRequest,
    LessonOut,
    NewCourseRequest,
    NewLessonRequest,
    ProgressOut,
    course_out,
    lesson_out,
    progress_out,
)
from content.service import courses, lessons
from content.service.people import names

router = APIRouter(prefix="/api/v1", tags=["library"], responses=documented(401))
_WRITE = documented(403, 404, 409, 422)
_CREATE = documented(403, 404, 422)
_READ = documented(403, 404, 422)
_PAGE = documented(400, 403, 404, 422)


async def _course_out(course_id: str, user_id: str, deps: Deps) -> CourseOut:
    detail = await courses.course_detail(course_id, user_id, ports=deps.ports)
    people = people_out(await names([detail.course.author_id], ports=deps.ports))
    return course_out(
        detail.course, lessons=detail.lessons, progress=detail.progress, people=people
    )


@router.post(
    "/communities/{community_id}/courses",
    status_code=status.HTTP_201_CREATED,
    response_model=CourseOut,
    summary="Draft a course",
    responses=_CREATE,
)
async def create_course(
    community_id: str,
    body: NewCourseRequest,
    me: CurrentUser,
    deps: Deps,
    response: Response,
) -> CourseOut:
    """Moderators draft courses; lessons follow, then publication."""
    course = await courses.create_course(
        community_id, me.user_id, title=body.title, summary=body.summary, ports=deps.ports
    )
    response.headers["Location"] = f"/api/v1/courses/{course.id}"
    return await _course_out(course.id, me.user_id, deps)


@router.get(
    "/communities/{community_id}/courses",
    response_model=CoursePage,
    summary="List a community's courses",
    responses=_PAGE,
)
async def list_courses(
    community_id: str, me: CurrentUser, deps: Deps, cursor: Cursor = None, limit: Limit = 20
) -> CoursePage:
    """Published courses, newest first (moderators also see drafts)."""
    page = await courses.list_courses(
        community_id, me.user_id, cursor=cursor, limit=limit, ports=deps.ports
    )
    people = people_out(await names([x.author_id for x in page.items], ports=deps.ports))
    return CoursePage(
        items=[course_out(x, lessons=[], progress=None, people=people) for x in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/courses/{course_id}", response_model=CourseOut, summary="Read a course", responses=_READ
)
async def get_course(course_id: str, me: CurrentUser, deps: Deps) -> CourseOut:
    """A course with its lessons in order and the caller's progress."""
    return await _course_out(course_id, me.user_id, deps)


@router.patch(
    "/courses/{course_id}", response_model=CourseOut, summary="Edit a course", responses=_WRITE
)
async def edit_course(
    course_id: str, body: EditCourseRequest, me: CurrentUser, deps: Deps
) -> CourseOut:
    """Moderators change the title or summary; a published course announces the change."""
    await courses.edit_course(
        course_id, me.user_id, title=body.title, summary=body.summary, ports=deps.ports
    )
    return await _course_out(course_id, me.user_id, deps)


@router.post(
    "/courses/{course_id}/lessons",
    status_code=status.HTTP_201_CREATED,
    response_model=LessonOut,
    summary="Add a lesson",
    responses=_WRITE,
)
async def add_lesson(
    course_id: str, body: NewLessonRequest, me: CurrentUser, deps: Deps
) -> LessonOut:
    """Moderators append a lesson; unless it is a draft, it goes live with the course (at once
    in a published course, and the enrolled are told)."""
    lesson = await lessons.add_lesson(
        course_id, me.user_id, title=body.title, body=body.body, draft=body.draft, ports=deps.ports
    )
    return lesson_out(lesson)


@router.post(
    "/courses/{course_id}/publish",
    response_model=CourseOut,
    summary="Publish a course",
    responses=_WRITE,
)
async def publish(course_id: str, me: CurrentUser, deps: Deps) -> CourseOut:
    """Moderators publish a draft course."""
    await courses.publish_course(course_id, me.user_id, ports=deps.ports)
    return await _course_out(course_id, me.user_id, deps)


@router.put(
    "/courses/{course_id}/enrolment",
    response_model=ProgressOut,
    summary="Enrol in a course",
    responses=_WRITE,
)
async def enrol(course_id: str, me: CurrentUser, deps: Deps) -> ProgressOut:
    """Enrol in a published course (idempotent)."""
    progress = await courses.enrol(course_id, me.user_id, ports=deps.ports)
    course, _ = await courses.readable_course(course_id, me.user_id, ports=deps.ports)
    return progress_out(progress, course.published_lessons)


@router.get(
    "/lessons/{lesson_id}", response_model=LessonOut, summary="Read a lesson", responses=_READ
)
async def get_lesson(lesson_id: str, me: CurrentUser, deps: Deps) -> LessonOut:
    """A lesson of a course the caller can see."""
    lesson, _ = await lessons.read_lesson(lesson_id, me.user_id, ports=deps.ports)
    return lesson_out(lesson)


@router.patch(
    "/lessons/{lesson_id}", response_model=LessonOut, summary="Edit a lesson", responses=_WRITE
)
async def edit_lesson(
    lesson_id: str, body: EditLessonRequest, me: CurrentUser, deps: Deps
) -> LessonOut:
    """Moderators edit a lesson; changes to a live lesson are announced."""
    lesson = await lessons.edit_lesson(
        lesson_id, me.user_id, title=body.title, body=body.body, ports=deps.ports
    )
    return lesson_out(lesson)


@router.post(
    "/lessons/{lesson_id}/publish",
    response_model=LessonOut,
    summary="Publish a draft lesson",
    responses=_WRITE,
)
async def publish_lesson(lesson_id: str, me: CurrentUser, deps: Deps) -> LessonOut:
    """Moderators publish a draft lesson: live at once in a published course (the enrolled
    are told), otherwise together with the course."""
    return lesson_out(await lessons.publish_lesson(lesson_id, me.user_id, ports=deps.ports))


@router.put(
    "/lessons/{lesson_id}/completion",
    response_model=ProgressOut,
    summary="Complete a lesson",
    responses=_WRITE,
)
async def complete_lesson(lesson_id: str, me: CurrentUser, deps: Deps) -> ProgressOut:
    """Mark a lesson done (idempotent); the last one completes the course."""
    progress = await lessons.complete_lesson(lesson_id, me.user_id, ports=deps.ports)
    course, _ = await courses.readable_course(progress.course_id, me.user_id, ports=deps.ports)
    return progress_out(progress, course.published_lessons)
