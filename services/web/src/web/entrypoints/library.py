"""The library and courses: resources (links and notes) shared, edited by who shared them and
marked useful; courses with their lessons, enrolment and my progress; moderators draft, edit and
publish."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from web.domain.api import ApiResponse
from web.domain.editing import COURSE_FIELDS, LESSON_FIELDS, RESOURCE_FIELDS, changes, values_of
from web.entrypoints.forms import lines, refusal, see_other, text
from web.entrypoints.pages import Form, render, signed_in, status_for, visit_of
from web.entrypoints.pages import gettext as _gettext
from web.entrypoints.places import Place, find_place

router = APIRouter(include_in_schema=False)
LIBRARY = "/communities/{community_id}/library"
COURSES = "/communities/{community_id}/courses"
COURSE = COURSES + "/{course_id}"
LESSON = COURSE + "/lessons/{lesson_id}"
Cursor = Annotated[str, Query(max_length=200)]
Tag = Annotated[str, Query(max_length=32)]
#: The kinds of resource the platform knows, in the order the form offers them.
KINDS = ("article", "tool", "video", "book", "template", "podcast", "course", "note")


def _read(found: ApiResponse) -> dict[str, Any]:
    """The object read, or the matching error page (404 for unknown or hidden ids)."""
    if found.status in (403, 404) or (found.ok and not isinstance(found.body, dict)):
        raise HTTPException(404)
    if found.status in (400, 422):
        raise HTTPException(400)
    if not found.ok:
        raise HTTPException(status_for(found.status), refusal(found))
    body: dict[str, Any] = found.body
    return body


def _not_member(request: Request, place: Place) -> Response:
    return render(request, "discussions/not_member.html", status=403, place=place)


# ---- the library --------------------------------------------------------------------------


async def _library_page(
    request: Request,
    place: Place,
    *,
    sort: str = "recent",
    tag: str = "",
    cursor: str = "",
    draft: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    visit = visit_of(request)
    listing = await visit.api(
        "GET",
        f"/api/v1/communities/{place.id}/resources",
        params={"sort": sort, "tag": tag or None, "cursor": cursor or None},
    )
    if listing.status in (403, 404) and not place.member:
        return _not_member(request, place)
    page = _read(listing)
    return render(
        request,
        "library/library.html",
        status=status,
        place=place,
        items=page.get("items") or [],
        next_cursor=page.get("next_cursor"),
        first_page=not cursor,
        sort=sort,
        tag=tag,
        kinds=KINDS,
        draft=draft or {"kind": "article"},
        error=error,
    )


@router.get(LIBRARY)
async def library(
    request: Request,
    community_id: str,
    sort: Literal["recent", "useful"] = "recent",
    tag: Tag = "",
    cursor: Cursor = "",
) -> Response:
    """The community's resources, most recent or most useful first, optionally one tag."""
    place = await find_place(request, community_id)
    return await _library_page(request, place, sort=sort, tag=tag.strip(), cursor=cursor)


@router.post(LIBRARY)
async def share(request: Request, community_id: str, form: Form) -> Response:
    """Share a link or a note; a refusal shows the form again with the reason."""
    place = await find_place(request, community_id)
    visit = visit_of(request)
    draft = {name: text(form, name) for name in ("title", "kind", "url", "description", "tags")}
    shared = await visit.api(
        "POST",
        f"/api/v1/communities/{place.id}/resources",
        json={
            "title": draft["title"],
            "kind": draft["kind"],
            "url": draft["url"] or None,
            "description": draft["description"] or None,
            "tags": lines(form, "tags"),
        },
    )
    if shared.ok and isinstance(shared.body, dict):
        visit.flash(_gettext(request, "Shared with the library."))
        return see_other(f"/communities/{place.id}/library#resource-{shared.body['id']}")
    if shared.problem_code == "not-a-member":
        return _not_member(request, place)
    return await _library_page(
        request, place, draft=draft, error=refusal(shared), status=status_for(shared.status)
    )


def _edit_page(
    request: Request,
    place: Place,
    *,
    what: Literal["resource", "course", "lesson"],
    heading: str,
    name: str,
    here: str,
    back: str,
    draft: dict[str, str],
    course: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """One page for every edit: the creation form's fields, filled in with what is there."""
    return render(
        request,
        "library/edit.html",
        status=status,
        place=place,
        what=what,
        heading=heading,
        name=name,
        here=here,
        back=back,
        course=course,
        kinds=KINDS,
        draft=draft,
        editing=True,
        error=error,
    )


async def _my_resource(request: Request, place: Place, resource_id: str) -> dict[str, Any]:
    """A resource of this community that I shared (only its author edits it)."""
    visit = signed_in(request)
    resource = _read(await visit.api("GET", f"/api/v1/resources/{resource_id}"))
    if resource.get("community_id") != place.id:
        raise HTTPException(404)
    author = resource.get("author")
    if not isinstance(author, dict) or author.get("id") != visit.session.user_id:
        raise HTTPException(403, _gettext(request, "Only the member who shared it can edit it."))
    return resource


def _resource_edit_page(
    request: Request,
    place: Place,
    resource: dict[str, Any],
    draft: dict[str, str],
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    library = f"/communities/{place.id}/library"
    return _edit_page(
        request,
        place,
        what="resource",
        heading=_gettext(request, "Edit the resource"),
        name=str(resource.get("title") or ""),
        here=f"{library}/{resource['id']}",
        back=f"{library}#resource-{resource['id']}",
        draft=draft,
        error=error,
        status=status,
    )


@router.get(LIBRARY + "/{resource_id}/edit")
async def edit_resource_page(request: Request, community_id: str, resource_id: str) -> Response:
    """The resource I shared, in the sharing form to change it."""
    place = await find_place(request, community_id)
    resource = await _my_resource(request, place, resource_id)
    draft = values_of(resource, RESOURCE_FIELDS)
    return _resource_edit_page(request, place, resource, draft)


@router.post(LIBRARY + "/{resource_id}/edit")
async def edit_resource(
    request: Request, community_id: str, resource_id: str, form: Form
) -> Response:
    """Save what changed (only those fields are sent); a refusal shows the form again."""
    place = await find_place(request, community_id)
    resource = await _my_resource(request, place, resource_id)
    visit = visit_of(request)
    draft = {name: text(form, name) for name in ("title", "kind", "url", "description", "tags")}
    body = changes(resource, draft, RESOURCE_FIELDS, tags=lines(form, "tags"))
    if body:
        saved = await visit.api("PATCH", f"/api/v1/resources/{resource_id}", json=body)
        if not saved.ok:
            return _resource_edit_page(
                request,
                place,
                resource,
                draft,
                error=refusal(saved),
                status=status_for(saved.status),
            )
    visit.flash(
        _gettext(request, "Your changes were saved.")
        if body
        else _gettext(request, "Nothing was changed.")
    )
    return see_other(f"/communities/{place.id}/library#resource-{resource_id}")


@router.post(LIBRARY + "/{resource_id}/useful")
async def useful(request: Request, community_id: str, resource_id: str, form: Form) -> Response:
    """Mark a resource useful, or take the mark back."""
    visit = signed_in(request)
    done = await visit.api(
        "DELETE" if text(form, "useful") == "off" else "PUT",
        f"/api/v1/resources/{resource_id}/useful",
    )
    if not done.ok:
        visit.flash(refusal(done))
    return see_other(f"/communities/{community_id}/library#resource-{resource_id}")


@router.post(LIBRARY + "/{resource_id}/delete")
async def delete_resource(
    request: Request, community_id: str, resource_id: str, _: Form
) -> Response:
    """The member who shared it, or a moderator, removes it."""
    visit = signed_in(request)
    done = await visit.api("DELETE", f"/api/v1/resources/{resource_id}")
    visit.flash(_gettext(request, "Removed from the library.") if done.ok else refusal(done))
    return see_other(f"/communities/{community_id}/library")


# ---- courses ------------------------------------------------------------------------------


async def _courses_page(
    request: Request,
    place: Place,
    *,
    cursor: str = "",
    draft: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    visit = visit_of(request)
    listing = await visit.api(
        "GET", f"/api/v1/communities/{place.id}/courses", params={"cursor": cursor or None}
    )
    if listing.status in (403, 404) and not place.member:
        return _not_member(request, place)
    page = _read(listing)
    return render(
        request,
        "library/courses.html",
        status=status,
        place=place,
        items=page.get("items") or [],
        next_cursor=page.get("next_cursor"),
        first_page=not cursor,
        draft=draft or {},
        error=error,
    )


@router.get(COURSES)
async def courses(request: Request, community_id: str, cursor: Cursor = "") -> Response:
    """Published courses, newest first; moderators also see drafts and draft new ones."""
    place = await find_place(request, community_id)
    return await _courses_page(request, place, cursor=cursor)


@router.post(COURSES)
async def draft_course(request: Request, community_id: str, form: Form) -> Response:
    """Moderators draft a course; lessons follow, then publication."""
    place = await find_place(request, community_id)
    visit = visit_of(request)
    draft = {"title": text(form, "title"), "summary": text(form, "summary")}
    made = await visit.api("POST", f"/api/v1/communities/{place.id}/courses", json=draft)
    if made.ok and isinstance(made.body, dict):
        return see_other(f"/communities/{place.id}/courses/{made.body['id']}")
    return await _courses_page(
        request, place, draft=draft, error=refusal(made), status=status_for(made.status)
    )


async def _course(request: Request, place: Place, course_id: str) -> dict[str, Any]:
    course = _read(await visit_of(request).api("GET", f"/api/v1/courses/{course_id}"))
    if course.get("community_id") != place.id:
        raise HTTPException(404)
    return course


async def _course_page(
    request: Request,
    place: Place,
    course_id: str,
    *,
    draft: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    course = await _course(request, place, course_id)
    return render(
        request,
        "library/course.html",
        status=status,
        place=place,
        course=course,
        draft=draft or {},
        error=error,
    )


@router.get(COURSE)
async def course_page(request: Request, community_id: str, course_id: str) -> Response:
    """A course: its summary, its lessons in order with mine done, my progress."""
    place = await find_place(request, community_id)
    return await _course_page(request, place, course_id)


def _course_edit_page(
    request: Request,
    place: Place,
    course: dict[str, Any],
    draft: dict[str, str],
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    if not place.moderator:
        raise HTTPException(403, _gettext(request, "Only the community's moderators edit courses."))
    here = f"/communities/{place.id}/courses/{course['id']}"
    return _edit_page(
        request,
        place,
        what="course",
        heading=_gettext(request, "Edit the course"),
        name=str(course.get("title") or ""),
        here=here,
        back=here,
        course=course,
        draft=draft,
        error=error,
        status=status,
    )


@router.get(COURSE + "/edit")
async def edit_course_page(request: Request, community_id: str, course_id: str) -> Response:
    """The course's title and summary in the drafting form (moderators)."""
    place = await find_place(request, community_id)
    course = await _course(request, place, course_id)
    return _course_edit_page(request, place, course, values_of(course, COURSE_FIELDS))


@router.post(COURSE + "/edit")
async def edit_course(request: Request, community_id: str, course_id: str, form: Form) -> Response:
    """Save the course's new title or summary (moderators; only what changed is sent)."""
    place = await find_place(request, community_id)
    course = await _course(request, place, course_id)
    visit = visit_of(request)
    draft = {name: text(form, name) for name in COURSE_FIELDS}
    body = changes(course, draft, COURSE_FIELDS)
    if body:
        saved = await visit.api("PATCH", f"/api/v1/courses/{course_id}", json=body)
        if not saved.ok:
            return _course_edit_page(
                request, place, course, draft, error=refusal(saved), status=status_for(saved.status)
            )
    visit.flash(
        _gettext(request, "Your changes were saved.")
        if body
        else _gettext(request, "Nothing was changed.")
    )
    return see_other(f"/communities/{place.id}/courses/{course_id}")


@router.post(COURSE + "/{action}")
async def course_action(
    request: Request, community_id: str, course_id: str, action: str, form: Form
) -> Response:
    """Enrol (members), publish the course or add a lesson (moderators)."""
    place = await find_place(request, community_id)
    visit = visit_of(request)
    here = f"/communities/{place.id}/courses/{course_id}"
    if action == "enrol":
        done = await visit.api("PUT", f"/api/v1/courses/{course_id}/enrolment")
        visit.flash(_gettext(request, "You are enrolled.") if done.ok else refusal(done))
    elif action == "publish":
        done = await visit.api("POST", f"/api/v1/courses/{course_id}/publish")
        visit.flash(_gettext(request, "The course is published.") if done.ok else refusal(done))
    elif action == "lessons":
        draft = {"title": text(form, "title"), "body": text(form, "body")}
        done = await visit.api(
            "POST",
            f"/api/v1/courses/{course_id}/lessons",
            json={**draft, "draft": text(form, "draft") == "on"},
        )
        if not done.ok:
            return await _course_page(
                request,
                place,
                course_id,
                draft=draft,
                error=refusal(done),
                status=status_for(done.status),
            )
        visit.flash(_gettext(request, "The lesson is added."))
    else:
        raise HTTPException(404)
    return see_other(here)


async def _lesson(
    request: Request, place: Place, course_id: str, lesson_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The course and its lesson (404 if the lesson is another course's)."""
    course = await _course(request, place, course_id)
    lesson = _read(await visit_of(request).api("GET", f"/api/v1/lessons/{lesson_id}"))
    if lesson.get("course_id") != course_id:
        raise HTTPException(404)
    return course, lesson


def _lesson_edit_page(
    request: Request,
    place: Place,
    course: dict[str, Any],
    lesson: dict[str, Any],
    draft: dict[str, str],
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    if not place.moderator:
        raise HTTPException(403, _gettext(request, "Only the community's moderators edit lessons."))
    here = f"/communities/{place.id}/courses/{course['id']}/lessons/{lesson['id']}"
    return _edit_page(
        request,
        place,
        what="lesson",
        heading=_gettext(request, "Edit the lesson"),
        name=str(lesson.get("title") or ""),
        here=here,
        back=here,
        course=course,
        draft=draft,
        error=error,
        status=status,
    )


@router.get(LESSON + "/edit")
async def edit_lesson_page(
    request: Request, community_id: str, course_id: str, lesson_id: str
) -> Response:
    """The lesson in the form that added it (moderators)."""
    place = await find_place(request, community_id)
    course, lesson = await _lesson(request, place, course_id, lesson_id)
    return _lesson_edit_page(request, place, course, lesson, values_of(lesson, LESSON_FIELDS))


@router.post(LESSON + "/edit")
async def edit_lesson(
    request: Request, community_id: str, course_id: str, lesson_id: str, form: Form
) -> Response:
    """Save the lesson's new title or text (moderators; only what changed is sent)."""
    place = await find_place(request, community_id)
    course, lesson = await _lesson(request, place, course_id, lesson_id)
    visit = visit_of(request)
    draft = {name: text(form, name) for name in LESSON_FIELDS}
    body = changes(lesson, draft, LESSON_FIELDS)
    if body:
        saved = await visit.api("PATCH", f"/api/v1/lessons/{lesson_id}", json=body)
        if not saved.ok:
            return _lesson_edit_page(
                request,
                place,
                course,
                lesson,
                draft,
                error=refusal(saved),
                status=status_for(saved.status),
            )
    visit.flash(
        _gettext(request, "Your changes were saved.")
        if body
        else _gettext(request, "Nothing was changed.")
    )
    return see_other(f"/communities/{place.id}/courses/{course_id}/lessons/{lesson_id}")


@router.get(LESSON)
async def lesson_page(
    request: Request, community_id: str, course_id: str, lesson_id: str
) -> Response:
    """A lesson, with the way to the next one and, once enrolled, "done"."""
    place = await find_place(request, community_id)
    course, lesson = await _lesson(request, place, course_id, lesson_id)
    order = [str(item["id"]) for item in course.get("lessons") or []]
    at = order.index(lesson_id) if lesson_id in order else -1
    summary = (course.get("lessons") or [])[at] if at >= 0 else {}
    return render(
        request,
        "library/lesson.html",
        place=place,
        course=course,
        lesson=lesson,
        completed=bool(summary.get("completed")),
        previous_id=order[at - 1] if at > 0 else None,
        next_id=order[at + 1] if 0 <= at < len(order) - 1 else None,
    )


@router.post(LESSON + "/{action}")
async def lesson_action(
    request: Request, community_id: str, course_id: str, lesson_id: str, action: str, _: Form
) -> Response:
    """Mark a lesson done (enrolled members) or publish a draft lesson (moderators)."""
    visit = signed_in(request)
    here = f"/communities/{community_id}/courses/{course_id}/lessons/{lesson_id}"
    if action == "complete":
        done = await visit.api("PUT", f"/api/v1/lessons/{lesson_id}/completion")
        if done.ok and isinstance(done.body, dict) and done.body.get("completed_at"):
            visit.flash(_gettext(request, "Course completed. Well done!"))
        elif not done.ok:
            visit.flash(refusal(done))
    elif action == "publish":
        done = await visit.api("POST", f"/api/v1/lessons/{lesson_id}/publish")
        visit.flash(_gettext(request, "The lesson is published.") if done.ok else refusal(done))
    else:
        raise HTTPException(404)
    return see_other(here)
