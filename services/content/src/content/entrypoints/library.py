"""HTTP routes of the library: resources and courses."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from cerchia_chassis.auth import CurrentUser
from content.entrypoints.dependencies import Cursor, Limit, PortsDep, people_out
from content.entrypoints.library_schemas import (
    CourseOut,
    CoursePage,
    LessonOut,
    NewCourseRequest,
    NewLessonRequest,
    NewResourceRequest,
    ProgressOut,
    ResourceOut,
    ResourcePage,
    course_out,
    lesson_out,
    progress_out,
    resource_out,
)
from content.entrypoints.responses import problems
from content.service import courses, resources

router = APIRouter(prefix="/api/v1", tags=["library"], responses=problems(401))
_WRITE = problems(403, 404, 409, 422, 429)
_READ = problems(403, 404, 422)


@router.post(
    "/communities/{community_id}/resources",
    status_code=status.HTTP_201_CREATED,
    response_model=ResourceOut,
    summary="Share a resource",
    responses=_WRITE,
)
async def share_resource(
    community_id: str,
    body: NewResourceRequest,
    me: CurrentUser,
    ports: PortsDep,
    response: Response,
) -> ResourceOut:
    """Share a link or a note with the community's library."""
    resource = await resources.share_resource(
        community_id,
        me.user_id,
        resources.NewResource(
            title=body.title,
            kind=body.kind,
            url=str(body.url) if body.url else None,
            description=body.description,
            tags=tuple(body.tags),
        ),
        ports=ports,
    )
    response.headers["Location"] = f"/api/v1/resources/{resource.id}"
    return resource_out(resource, user_id=me.user_id, people=await people_out(ports, [me.user_id]))


@router.get(
    "/communities/{community_id}/resources",
    response_model=ResourcePage,
    summary="Browse the library",
    responses=_READ,
)
async def list_resources(
    community_id: str,
    *,
    me: CurrentUser,
    ports: PortsDep,
    cursor: Cursor = None,
    limit: Limit = 20,
    sort: Annotated[Literal["recent", "useful"], Query()] = "recent",
    tag: Annotated[str | None, Query(max_length=32)] = None,
) -> ResourcePage:
    """Most recent or most useful first, optionally one tag."""
    page = await resources.list_resources(
        community_id, me.user_id, sort=sort, tag=tag, cursor=cursor, limit=limit, ports=ports
    )
    people = await people_out(ports, [r.author_id for r in page.items])
    return ResourcePage(
        items=[resource_out(r, user_id=me.user_id, people=people) for r in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/resources/{resource_id}", response_model=ResourceOut, summary="A resource", responses=_READ
)
async def get_resource(resource_id: str, me: CurrentUser, ports: PortsDep) -> ResourceOut:
    """One resource."""
    resource, _ = await resources.readable_resource(resource_id, me.user_id, ports=ports)
    people = await people_out(ports, [resource.author_id])
    return resource_out(resource, user_id=me.user_id, people=people)


@router.put(
    "/resources/{resource_id}/useful",
    response_model=ResourceOut,
    summary="Mark useful",
    responses=_WRITE,
)
async def mark_useful(resource_id: str, me: CurrentUser, ports: PortsDep) -> ResourceOut:
    """Say the resource helped you (once per member)."""
    resource = await resources.mark_useful(resource_id, me.user_id, on=True, ports=ports)
    return resource_out(
        resource, user_id=me.user_id, people=await people_out(ports, [resource.author_id])
    )


@router.delete(
    "/resources/{resource_id}/useful",
    response_model=ResourceOut,
    summary="Unmark useful",
    responses=_WRITE,
)
async def unmark_useful(resource_id: str, me: CurrentUser, ports: PortsDep) -> ResourceOut:
    """Take back your useful mark."""
    resource = await resources.mark_useful(resource_id, me.user_id, on=False, ports=ports)
    return resource_out(
        resource, user_id=me.user_id, people=await people_out(ports, [resource.author_id])
    )


@router.delete(
    "/resources/{resource_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a resource",
    responses=_WRITE,
)
async def delete_resource(resource_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """The author or a moderator deletes (soft delete)."""
    await resources.delete_resource(resource_id, me.user_id, ports=ports)


async def _course_out(course_id: str, user_id: str, ports: PortsDep) -> CourseOut:
    detail = await courses.course_detail(course_id, user_id, ports=ports)
    people = await people_out(ports, [detail.course.author_id])
    return course_out(
        detail.course, lessons=detail.lessons, progress=detail.progress, people=people
    )


@router.post(
    "/communities/{community_id}/courses",
    status_code=status.HTTP_201_CREATED,
    response_model=CourseOut,
    summary="Draft a course",
    responses=_WRITE,
)
async def create_course(
    community_id: str,
    body: NewCourseRequest,
    me: CurrentUser,
    ports: PortsDep,
    response: Response,
) -> CourseOut:
    """Moderators draft courses; lessons follow, then publication."""
    course = await courses.create_course(
        community_id, me.user_id, title=body.title, summary=body.summary, ports=ports
    )
    response.headers["Location"] = f"/api/v1/courses/{course.id}"
    return await _course_out(course.id, me.user_id, ports)


@router.get(
    "/communities/{community_id}/courses",
    response_model=CoursePage,
    summary="Courses",
    responses=_READ,
)
async def list_courses(
    community_id: str, me: CurrentUser, ports: PortsDep, cursor: Cursor = None, limit: Limit = 20
) -> CoursePage:
    """Published courses, newest first (moderators also see drafts)."""
    page = await courses.list_courses(
        community_id, me.user_id, cursor=cursor, limit=limit, ports=ports
    )
    people = await people_out(ports, [x.author_id for x in page.items])
    return CoursePage(
        items=[course_out(x, lessons=[], progress=None, people=people) for x in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/courses/{course_id}", response_model=CourseOut, summary="A course", responses=_READ)
async def get_course(course_id: str, me: CurrentUser, ports: PortsDep) -> CourseOut:
    """A course with its lessons in order and the caller's progress."""
    return await _course_out(course_id, me.user_id, ports)


@router.post(
    "/courses/{course_id}/lessons",
    status_code=status.HTTP_201_CREATED,
    response_model=LessonOut,
    summary="Add a lesson",
    responses=_WRITE,
)
async def add_lesson(
    course_id: str, body: NewLessonRequest, me: CurrentUser, ports: PortsDep
) -> LessonOut:
    """Moderators append a lesson; in a published course the enrolled are told."""
    lesson = await courses.add_lesson(
        course_id, me.user_id, title=body.title, body=body.body, ports=ports
    )
    return lesson_out(lesson)


@router.post(
    "/courses/{course_id}/publish", response_model=CourseOut, summary="Publish", responses=_WRITE
)
async def publish(course_id: str, me: CurrentUser, ports: PortsDep) -> CourseOut:
    """Moderators publish a draft course."""
    await courses.publish_course(course_id, me.user_id, ports=ports)
    return await _course_out(course_id, me.user_id, ports)


@router.put(
    "/courses/{course_id}/enrolment", response_model=ProgressOut, summary="Enrol", responses=_WRITE
)
async def enrol(course_id: str, me: CurrentUser, ports: PortsDep) -> ProgressOut:
    """Enrol in a published course (idempotent)."""
    progress = await courses.enrol(course_id, me.user_id, ports=ports)
    course, _ = await courses.readable_course(course_id, me.user_id, ports=ports)
    return progress_out(progress, course.lesson_count)


@router.get("/lessons/{lesson_id}", response_model=LessonOut, summary="A lesson", responses=_READ)
async def get_lesson(lesson_id: str, me: CurrentUser, ports: PortsDep) -> LessonOut:
    """A lesson of a course the caller can see."""
    lesson, _ = await courses.read_lesson(lesson_id, me.user_id, ports=ports)
    return lesson_out(lesson)


@router.put(
    "/lessons/{lesson_id}/completion",
    response_model=ProgressOut,
    summary="Complete a lesson",
    responses=_WRITE,
)
async def complete_lesson(lesson_id: str, me: CurrentUser, ports: PortsDep) -> ProgressOut:
    """Mark a lesson done (idempotent); the last one completes the course."""
    progress = await courses.complete_lesson(lesson_id, me.user_id, ports=ports)
    course, _ = await courses.readable_course(progress.course_id, me.user_id, ports=ports)
    return progress_out(progress, course.lesson_count)
