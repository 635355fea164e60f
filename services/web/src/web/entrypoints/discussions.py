"""Discussions: a community's threads, a thread with its replies, posting, editing with history,
reactions, following, deleting (the author or a moderator, after saying what it does), and the
moderators' pin, lock and move."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from web.domain.discussions import REACTION_NAMES, REACTIONS, reply_tree, with_mention
from web.domain.editing import category_name
from web.entrypoints.forms import refusal, see_other, text
from web.entrypoints.pages import Form, signed_in, status_for
from web.entrypoints.pages import gettext as _gettext
from web.entrypoints.pages import render as _render
from web.entrypoints.pages import visit_of as _visit
from web.entrypoints.places import Place, find_place
from web.service.visits import Visit

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
#: Replies on one page of a thread; a longer thread has more pages, each with its address.
REPLIES_PER_PAGE = 50
#: Pages read at most to reach a page or a reply's page (1,000 replies).
MAX_REPLY_PAGES = 20
THREADS = "/communities/{community_id}/threads"
THREAD = THREADS + "/{thread_id}"


def _not_member(request: Request, place: Place) -> Response:
    return _render(request, "discussions/not_member.html", status=403, place=place)


async def _members(visit: Visit, community_id: str) -> list[dict[str, Any]]:
    """The people the mention picker offers (those with a handle)."""
    found = await visit.api(
        "GET", f"/api/v1/communities/{community_id}/directory", params={"limit": 100}
    )
    if not found.ok or not isinstance(found.body, dict):
        return []
    return [m for m in found.body.get("items") or [] if isinstance(m, dict) and m.get("handle")]


async def _preview(visit: Visit, markdown: str) -> tuple[str | None, str | None]:
    """The platform's rendering of a draft (sanitised there), or why it could not be had."""
    found = await visit.api("POST", "/api/v1/markdown/preview", json={"markdown": markdown})
    if found.ok and isinstance(found.body, dict):
        return str(found.body.get("html") or ""), None
    return None, refusal(found)


def _body(form: FormData) -> str:
    """The posted Markdown, with the member picked in the picker (without JavaScript)."""
    raw = form.get("body")
    body = raw.strip() if isinstance(raw, str) else ""
    return with_mention(body, text(form, "mention"))


# ---- the community's threads ----------------------------------------------------------------


async def _threads_page(
    request: Request,
    place: Place,
    *,
    category: str = "",
    cursor: str = "",
    draft: dict[str, str] | None = None,
    preview: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    visit = _visit(request)
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if category:
        params["category"] = category
    if cursor:
        params["cursor"] = cursor
    listing = await visit.api("GET", f"/api/v1/communities/{place.id}/threads", params=params)
    if listing.status in (403, 404) and not place.member:
        return _not_member(request, place)
    if listing.status in (400, 422):
        raise HTTPException(400)
    if not listing.ok or not isinstance(listing.body, dict):
        raise HTTPException(status_for(listing.status), refusal(listing))
    categories = await visit.api("GET", f"/api/v1/communities/{place.id}/categories")
    return _render(
        request,
        "discussions/threads.html",
        status=status,
        place=place,
        threads=listing.body.get("items") or [],
        next_cursor=listing.body.get("next_cursor"),
        first_page=not cursor,
        categories=categories.body if categories.ok and isinstance(categories.body, list) else [],
        category=category,
        members=await _members(visit, place.id) if place.member else [],
        draft=draft or {},
        preview=preview,
        error=error,
    )


#: The longest search the API takes.
SEARCH_MAX = 200


@router.get("/communities/{community_id}/search")
async def search_page(request: Request, community_id: str, q: str = "") -> Response:
    """Search a community's threads, replies and resources (ranked by the API)."""
    place = await find_place(request, community_id)
    query = " ".join(q.split())
    hits: list[dict[str, Any]] | None = None
    error: str | None = None
    if len(query) > SEARCH_MAX:
        error = _gettext(request, "A search is at most %(count)s characters.") % {
            "count": SEARCH_MAX
        }
    elif query:
        found = await _visit(request).api(
            "GET", "/api/v1/search", params={"community_id": place.id, "q": query, "limit": 50}
        )
        if found.status in (403, 404) and not place.member:
            return _not_member(request, place)
        if found.status == 422:
            error = refusal(found)
        elif not found.ok or not isinstance(found.body, dict):
            raise HTTPException(status_for(found.status), refusal(found))
        else:
            hits = [h for h in found.body.get("items") or [] if isinstance(h, dict)]
    return _render(
        request,
        "discussions/search.html",
        status=422 if error else 200,
        place=place,
        query=query,
        hits=hits,
        error=error,
    )


#: Results shown per community when searching all of mine (each links to the full search).
SEARCH_PER_COMMUNITY = 5


@router.get("/search")
async def search_mine(request: Request, q: str = "") -> Response:
    """Search every community I belong to: each one's best results, with a link to all of them.
    Scores are not compared across communities (each ranks within its own words)."""
    visit = signed_in(request)
    query = " ".join(q.split())
    groups: list[dict[str, Any]] | None = None
    error: str | None = None
    if len(query) > SEARCH_MAX:
        error = _gettext(request, "A search is at most %(count)s characters.") % {
            "count": SEARCH_MAX
        }
    elif query:
        mine = await visit.api("GET", "/api/v1/me/communities")
        if not mine.ok or not isinstance(mine.body, dict):
            raise HTTPException(status_for(mine.status), refusal(mine))
        communities = [
            item["community"]
            for item in mine.body.get("items") or []
            if isinstance(item, dict)
            and isinstance(item.get("community"), dict)
            and (item.get("standing") or {}).get("state") == "member"
        ]
        found = await asyncio.gather(
            *(
                visit.api(
                    "GET",
                    "/api/v1/search",
                    params={"community_id": c["id"], "q": query, "limit": SEARCH_PER_COMMUNITY},
                )
                for c in communities
            )
        )
        groups = [
            {"community": c, "hits": r.body.get("items") or []}
            for c, r in zip(communities, found, strict=True)
            if r.ok and isinstance(r.body, dict) and r.body.get("items")
        ]
    return _render(
        request,
        "discussions/search_mine.html",
        status=422 if error else 200,
        query=query,
        groups=groups,
        error=error,
    )


@router.get(THREADS)
async def threads_page(
    request: Request, community_id: str, category: str = "", cursor: str = ""
) -> Response:
    """The community's discussions: pinned first, then by latest activity, page by page."""
    place = await find_place(request, community_id)
    return await _threads_page(request, place, category=category.strip(), cursor=cursor.strip())


@router.post(THREADS)
async def open_thread(request: Request, community_id: str, form: Form) -> Response:
    """Open a thread (or, with the Preview button, show the draft as it will look)."""
    place = await find_place(request, community_id)
    visit = _visit(request)
    draft = {"title": text(form, "title"), "category": text(form, "category"), "body": _body(form)}
    if text(form, "action") == "preview":
        html, error = await _preview(visit, draft["body"])
        return await _threads_page(request, place, draft=draft, preview=html, error=error)
    created = await visit.api(
        "POST",
        f"/api/v1/communities/{place.id}/threads",
        json={
            "title": draft["title"],
            "body": draft["body"],
            "category": draft["category"] or None,
        },
    )
    if created.ok and isinstance(created.body, dict):
        return see_other(f"/communities/{place.id}/threads/{created.body['id']}")
    if created.problem_code == "not-a-member":
        return _not_member(request, place)
    return await _threads_page(
        request, place, draft=draft, error=refusal(created), status=status_for(created.status)
    )


@router.post("/markdown/preview")
async def preview_fragment(request: Request, form: Form) -> Response:
    """The draft rendered by the platform, swapped in place by htmx."""
    if not _visit(request).signed_in:
        return Response(status_code=401)
    html, error = await _preview(_visit(request), _body(form))
    return _render(request, "discussions/_preview.html", preview=html, preview_error=error)


# ---- one thread ---------------------------------------------------------------------------


async def _thread(request: Request, community_id: str, thread_id: str) -> dict[str, Any]:
    found = await _visit(request).api("GET", f"/api/v1/threads/{thread_id}")
    if found.status == 404 or (found.ok and found.body.get("community_id") != community_id):
        raise HTTPException(404)
    if not found.ok or not isinstance(found.body, dict):
        raise HTTPException(status_for(found.status), refusal(found))
    thread: dict[str, Any] = found.body
    return thread


@dataclass(frozen=True)
class ReplyPage:
    """One page of a thread's replies, in posting order."""

    number: int
    replies: list[dict[str, Any]]
    more: bool
    #: Where the next page starts.
    cursor: str | None = None


async def _reply_pages(visit: Visit, thread_id: str) -> AsyncIterator[ReplyPage]:
    """The thread's pages of replies, first to last (the API's cursor, walked)."""
    cursor: str | None = None
    for number in range(1, MAX_REPLY_PAGES + 1):
        params: dict[str, Any] = {"limit": REPLIES_PER_PAGE}
        if cursor:
            params["cursor"] = cursor
        page = await visit.api("GET", f"/api/v1/threads/{thread_id}/replies", params=params)
        if not page.ok or not isinstance(page.body, dict):
            raise HTTPException(status_for(page.status), refusal(page))
        cursor = page.body.get("next_cursor")
        more = bool(cursor) and number < MAX_REPLY_PAGES
        yield ReplyPage(number, list(page.body.get("items") or []), more, cursor)
        if not more:
            return


async def _find_reply(visit: Visit, thread_id: str, reply_id: str) -> tuple[int, dict[str, Any]]:
    """A reply and the number of the page it is on; 404 if the thread has no such reply."""
    async for page in _reply_pages(visit, thread_id):
        for reply in page.replies:
            if str(reply.get("id")) == reply_id:
                return page.number, reply
    raise HTTPException(404)


def _permalink(community_id: str, thread_id: str, reply_id: str) -> str:
    """A reply's lasting address: it leads to the page the reply is on."""
    return f"/communities/{community_id}/threads/{thread_id}/replies/{reply_id}"


async def _cursor_of(visit: Visit, thread_id: str, number: int) -> str | None:
    """The cursor that starts page ``number`` of the replies (None for the first); 404 past
    the last page."""
    if number == 1:
        return None
    async for page in _reply_pages(visit, thread_id):
        if page.number == number - 1:
            if page.more:
                return page.cursor
            break
    raise HTTPException(404)


async def _thread_page(
    request: Request,
    community_id: str,
    thread_id: str,
    *,
    draft: dict[str, str] | None = None,
    preview: str | None = None,
    error: str | None = None,
    status: int = 200,
    page: int = 1,
) -> Response:
    """Page ``page`` of the thread, from the thread's view (one gateway read: the community,
    the thread, the page of replies and the members to mention)."""
    visit = _visit(request)
    params: dict[str, Any] = {"limit": REPLIES_PER_PAGE}
    cursor = await _cursor_of(visit, thread_id, page)
    if cursor:
        params["cursor"] = cursor
    view = await visit.api(
        "GET", f"/api/v1/communities/{community_id}/threads/{thread_id}/view", params=params
    )
    if view.status in (403, 404, 422):
        # The community's own read says why: no such community (a malformed id included), or
        # not a member (the thread is theirs to read once they join).
        found = await find_place(request, community_id)
        if not found.member:
            return _not_member(request, found)
        if view.status == 403:
            raise HTTPException(403, refusal(view))
        raise HTTPException(404)
    if not view.ok or not isinstance(view.body, dict):
        raise HTTPException(status_for(view.status), refusal(view))
    place = Place(view.body["community"])
    thread: dict[str, Any] = view.body["thread"]
    replies_page: dict[str, Any] = view.body["replies"]
    replies = list(replies_page.get("items") or [])
    next_cursor = replies_page.get("next_cursor")
    shown = ReplyPage(page, replies, bool(next_cursor) and page < MAX_REPLY_PAGES, next_cursor)
    members = (
        [m for m in view.body.get("members") or [] if isinstance(m, dict) and m.get("handle")]
        if place.member
        else []
    )
    if thread.get("unread"):
        # Opening the thread is reading it; a failure here costs only the marker.
        await visit.api("POST", f"/api/v1/threads/{thread_id}/read")
    return _render(
        request,
        "discussions/thread.html",
        status=status,
        place=place,
        thread=thread,
        tree=reply_tree(replies),
        by_id={str(r["id"]): r for r in replies},
        reply_count=thread.get("reply_count", 0),
        page=shown,
        reactions=REACTIONS,
        members=members,
        me=visit.session.user_id,
        draft=draft or {},
        preview=preview,
        error=error,
    )


@router.get(THREAD)
async def thread_page(
    request: Request, community_id: str, thread_id: str, reply_to: str = "", page: str = "1"
) -> Response:
    """A thread and a page of its replies, threaded; opening it marks it read. ``reply_to``
    names the reply the form answers (a link, so it works without JavaScript)."""
    signed_in(request)
    return await _thread_page(
        request,
        community_id,
        thread_id,
        draft={"parent_id": reply_to.strip()},
        page=_page_number(page),
    )


def _page_number(raw: str) -> int:
    """A page number from the address: 1 to ``MAX_REPLY_PAGES``, else 404."""
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_REPLY_PAGES:
        raise HTTPException(404)
    return int(raw)


@router.get(THREAD + "/replies/{reply_id}")
async def reply_permalink(
    request: Request, community_id: str, thread_id: str, reply_id: str
) -> Response:
    """A reply's permalink: to the thread's page that shows it, at the reply."""
    place = await find_place(request, community_id)
    await _thread(request, place.id, thread_id)
    number, _reply = await _find_reply(_visit(request), thread_id, reply_id)
    page = f"?page={number}" if number > 1 else ""
    return see_other(f"/communities/{place.id}/threads/{thread_id}{page}#reply-{reply_id}")


@router.post(THREAD + "/replies")
async def post_reply(request: Request, community_id: str, thread_id: str, form: Form) -> Response:
    """Reply to the thread or to a reply (or preview the reply)."""
    place = await find_place(request, community_id)
    visit = _visit(request)
    parent = text(form, "parent_id")
    draft = {"body": _body(form), "parent_id": parent}
    page = _page_number(text(form, "page") or "1")
    if text(form, "action") == "preview":
        html, error = await _preview(visit, draft["body"])
        return await _thread_page(
            request, place.id, thread_id, draft=draft, preview=html, error=error, page=page
        )
    await _thread(request, place.id, thread_id)
    posted = await visit.api(
        "POST",
        f"/api/v1/threads/{thread_id}/replies",
        json={"body": draft["body"], "parent_id": parent or None},
    )
    if posted.ok and isinstance(posted.body, dict):
        return see_other(_permalink(place.id, thread_id, str(posted.body["id"])))
    if posted.problem_code == "not-a-member":
        return _not_member(request, place)
    error = refusal(posted)
    if posted.problem_code == "thread-locked":
        error = _gettext(request, "The moderators locked this thread: it takes no new replies.")
    return await _thread_page(
        request,
        place.id,
        thread_id,
        draft=draft,
        error=error,
        status=status_for(posted.status),
        page=page,
    )


async def _act(
    request: Request,
    community_id: str,
    thread_id: str,
    *,
    method: str,
    path: str,
    anchor: str,
) -> Response:
    """A small action on the thread (react, follow, pin, lock), then back to where it was."""
    place = await find_place(request, community_id)
    await _thread(request, place.id, thread_id)
    done = await _visit(request).api(method, path)
    if not done.ok:
        if done.status == 404:
            raise HTTPException(404)
        if done.problem_code == "thread-locked":
            message = _gettext(request, "The moderators locked this thread: it is read-only.")
        else:
            message = refusal(done)
        _visit(request).flash(message)
    if anchor.startswith("reply-"):
        return see_other(_permalink(place.id, thread_id, anchor.removeprefix("reply-")))
    destination = f"/communities/{place.id}/threads/{thread_id}"
    return see_other(destination + (f"#{anchor}" if anchor else ""))


@router.post(THREAD + "/reactions")
async def react(request: Request, community_id: str, thread_id: str, form: Form) -> Response:
    """Toggle a reaction on the thread or on one of its replies: ``reaction`` is
    ``name:on|off``, then ``:reply_id`` for a reply."""
    name, _, rest = text(form, "reaction").partition(":")
    state, _, reply_id = rest.partition(":")
    if name not in REACTION_NAMES or state not in ("on", "off"):
        raise HTTPException(400)
    target = f"/api/v1/replies/{reply_id}" if reply_id else f"/api/v1/threads/{thread_id}"
    method = "DELETE" if state == "off" else "PUT"
    anchor = f"reply-{reply_id}" if reply_id else "thread"
    path = f"{target}/reactions/{name}"
    return await _act(request, community_id, thread_id, method=method, path=path, anchor=anchor)


async def _toggle(
    request: Request, community_id: str, thread_id: str, what: str, form: FormData
) -> Response:
    """Switch one of the thread's flags on (PUT) or off (``on=0``: DELETE)."""
    method = "DELETE" if text(form, "on") == "0" else "PUT"
    path = f"/api/v1/threads/{thread_id}/{what}"
    return await _act(request, community_id, thread_id, method=method, path=path, anchor="thread")


@router.post(THREAD + "/follow")
async def follow(request: Request, community_id: str, thread_id: str, form: Form) -> Response:
    """Follow or unfollow the thread."""
    return await _toggle(request, community_id, thread_id, "follow", form)


@router.post(THREAD + "/pin")
async def pin(request: Request, community_id: str, thread_id: str, form: Form) -> Response:
    """Pin or unpin (moderators; the platform checks the role)."""
    return await _toggle(request, community_id, thread_id, "pin", form)


@router.post(THREAD + "/lock")
async def lock(request: Request, community_id: str, thread_id: str, form: Form) -> Response:
    """Lock or unlock (moderators; the platform checks the role)."""
    return await _toggle(request, community_id, thread_id, "lock", form)


# ---- deleting and moving --------------------------------------------------------------------


def _may_delete(request: Request, place: Place, post: dict[str, Any]) -> None:
    """The author or a moderator deletes (the platform checks again); others are told."""
    if not (_mine(request, post) or place.moderator):
        raise HTTPException(
            403, _gettext(request, "Only the author or a moderator can delete this.")
        )


def _delete_page(
    request: Request, place: Place, thread: dict[str, Any], reply: dict[str, Any] | None
) -> Response:
    post = reply or thread
    return _render(
        request,
        "discussions/delete.html",
        place=place,
        thread=thread,
        reply=reply,
        as_moderator=not _mine(request, post),
    )


@router.get(THREAD + "/delete")
async def delete_thread_page(request: Request, community_id: str, thread_id: str) -> Response:
    """What deleting the discussion does, and the button that does it."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    _may_delete(request, place, thread)
    return _delete_page(request, place, thread, None)


@router.post(THREAD + "/delete")
async def delete_thread(request: Request, community_id: str, thread_id: str, _: Form) -> Response:
    """Delete the discussion with its replies (the author or a moderator), then to the list."""
    place = await find_place(request, community_id)
    await _thread(request, place.id, thread_id)
    visit = _visit(request)
    done = await visit.api("DELETE", f"/api/v1/threads/{thread_id}")
    if not done.ok:
        if done.status == 404:
            raise HTTPException(404)
        visit.flash(refusal(done))
        return see_other(f"/communities/{place.id}/threads/{thread_id}")
    visit.flash(_gettext(request, "The discussion was deleted."))
    return see_other(f"/communities/{place.id}/threads")


@router.get(THREAD + "/replies/{reply_id}/delete")
async def delete_reply_page(
    request: Request, community_id: str, thread_id: str, reply_id: str
) -> Response:
    """What deleting the reply does, and the button that does it."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    reply = await _reply(request, thread_id, reply_id)
    _may_delete(request, place, reply)
    return _delete_page(request, place, thread, reply)


@router.post(THREAD + "/replies/{reply_id}/delete")
async def delete_reply(
    request: Request, community_id: str, thread_id: str, reply_id: str, _: Form
) -> Response:
    """Delete the reply (the author or a moderator): a note keeps its place in the thread."""
    place = await find_place(request, community_id)
    await _thread(request, place.id, thread_id)
    visit = _visit(request)
    done = await visit.api("DELETE", f"/api/v1/replies/{reply_id}")
    if not done.ok:
        if done.status == 404:
            raise HTTPException(404)
        if done.problem_code == "thread-locked":
            visit.flash(_gettext(request, "The moderators locked this thread: it is read-only."))
        else:
            visit.flash(refusal(done))
    else:
        visit.flash(_gettext(request, "The reply was deleted."))
    return see_other(_permalink(place.id, thread_id, reply_id))


async def _categories(request: Request, place: Place) -> list[str]:
    """The categories in use, for the move form to suggest (none when they cannot be read)."""
    found = await _visit(request).api("GET", f"/api/v1/communities/{place.id}/categories")
    if not found.ok or not isinstance(found.body, list):
        return []
    return [str(c["name"]) for c in found.body if isinstance(c, dict) and c.get("name")]


async def _move_page(
    request: Request,
    place: Place,
    thread: dict[str, Any],
    *,
    category: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    if not place.moderator:
        raise HTTPException(
            403, _gettext(request, "Only the community's moderators move a discussion.")
        )
    return _render(
        request,
        "discussions/move.html",
        status=status,
        place=place,
        thread=thread,
        category=category,
        categories=await _categories(request, place),
        error=error,
    )


@router.get(THREAD + "/move")
async def move_thread_page(request: Request, community_id: str, thread_id: str) -> Response:
    """The moderators' form to file the discussion under another category."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    return await _move_page(request, place, thread, category=str(thread.get("category") or ""))


@router.post(THREAD + "/move")
async def move_thread(request: Request, community_id: str, thread_id: str, form: Form) -> Response:
    """Move the discussion (moderators): under the category given, or under none if blank."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    visit = _visit(request)
    wanted = text(form, "category")
    here = f"/communities/{place.id}/threads/{thread_id}"
    if category_name(wanted) == (thread.get("category") or None):
        visit.flash(_gettext(request, "The discussion is already there."))
        return see_other(here)
    moved = await visit.api(
        "POST", f"/api/v1/threads/{thread_id}/move", json={"category": wanted or None}
    )
    if not moved.ok:
        return await _move_page(
            request,
            place,
            thread,
            category=wanted,
            error=refusal(moved),
            status=status_for(moved.status),
        )
    now = moved.body.get("category") if isinstance(moved.body, dict) else category_name(wanted)
    if now:
        visit.flash(_gettext(request, "The discussion is now in %(category)s.") % {"category": now})
    else:
        visit.flash(_gettext(request, "The discussion is no longer in a category."))
    return see_other(here)


# ---- editing and history ----------------------------------------------------------------------


async def _reply(request: Request, thread_id: str, reply_id: str) -> dict[str, Any]:
    _page, reply = await _find_reply(_visit(request), thread_id, reply_id)
    if reply.get("deleted"):
        raise HTTPException(404)
    return reply


def _mine(request: Request, post: dict[str, Any]) -> bool:
    author = post.get("author")
    return isinstance(author, dict) and author.get("id") == _visit(request).session.user_id


async def _edit_page(
    request: Request,
    place: Place,
    thread: dict[str, Any],
    reply: dict[str, Any] | None,
    *,
    draft: dict[str, str],
    preview: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return _render(
        request,
        "discussions/edit.html",
        status=status,
        place=place,
        thread=thread,
        reply=reply,
        draft=draft,
        members=await _members(_visit(request), place.id),
        preview=preview,
        error=error,
    )


@router.get(THREAD + "/edit")
async def edit_thread_page(request: Request, community_id: str, thread_id: str) -> Response:
    """My thread's opening post, in a form to edit."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    if not _mine(request, thread):
        raise HTTPException(403)
    draft = {"title": thread["title"], "body": thread["body_markdown"]}
    return await _edit_page(request, place, thread, None, draft=draft)


@router.post(THREAD + "/edit")
async def edit_thread(request: Request, community_id: str, thread_id: str, form: Form) -> Response:
    """Save the edit (the earlier version goes to the history)."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    visit = _visit(request)
    draft = {"title": text(form, "title"), "body": _body(form)}
    if text(form, "action") == "preview":
        html, error = await _preview(visit, draft["body"])
        return await _edit_page(
            request, place, thread, None, draft=draft, preview=html, error=error
        )
    saved = await visit.api("PATCH", f"/api/v1/threads/{thread_id}", json=draft)
    if not saved.ok:
        return await _edit_page(
            request,
            place,
            thread,
            None,
            draft=draft,
            error=refusal(saved),
            status=status_for(saved.status),
        )
    visit.flash(_gettext(request, "Your changes were saved."))
    return see_other(f"/communities/{place.id}/threads/{thread_id}")


@router.get(THREAD + "/replies/{reply_id}/edit")
async def edit_reply_page(
    request: Request, community_id: str, thread_id: str, reply_id: str
) -> Response:
    """My reply, in a form to edit."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    reply = await _reply(request, thread_id, reply_id)
    if not _mine(request, reply):
        raise HTTPException(403)
    draft = {"body": reply["body_markdown"]}
    return await _edit_page(request, place, thread, reply, draft=draft)


@router.post(THREAD + "/replies/{reply_id}/edit")
async def edit_reply(
    request: Request, community_id: str, thread_id: str, reply_id: str, form: Form
) -> Response:
    """Save the edited reply (the earlier version goes to the history)."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    reply = await _reply(request, thread_id, reply_id)
    visit = _visit(request)
    draft = {"body": _body(form)}
    if text(form, "action") == "preview":
        html, error = await _preview(visit, draft["body"])
        return await _edit_page(
            request, place, thread, reply, draft=draft, preview=html, error=error
        )
    saved = await visit.api("PATCH", f"/api/v1/replies/{reply_id}", json=draft)
    if not saved.ok:
        return await _edit_page(
            request,
            place,
            thread,
            reply,
            draft=draft,
            error=refusal(saved),
            status=status_for(saved.status),
        )
    visit.flash(_gettext(request, "Your changes were saved."))
    return see_other(_permalink(place.id, thread_id, reply_id))


@router.get(THREAD + "/history")
async def thread_history(request: Request, community_id: str, thread_id: str) -> Response:
    """Earlier versions of the opening post, newest first."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    found = await _visit(request).api("GET", f"/api/v1/threads/{thread_id}/history")
    if not found.ok:
        raise HTTPException(status_for(found.status), refusal(found))
    return _render(
        request,
        "discussions/history.html",
        place=place,
        thread=thread,
        reply=None,
        current=thread,
        revisions=list(reversed(found.body or [])),
    )


@router.get(THREAD + "/replies/{reply_id}/history")
async def reply_history(
    request: Request, community_id: str, thread_id: str, reply_id: str
) -> Response:
    """Earlier versions of a reply, newest first."""
    place = await find_place(request, community_id)
    thread = await _thread(request, place.id, thread_id)
    reply = await _reply(request, thread_id, reply_id)
    found = await _visit(request).api("GET", f"/api/v1/replies/{reply_id}/history")
    if not found.ok:
        raise HTTPException(status_for(found.status), refusal(found))
    return _render(
        request,
        "discussions/history.html",
        place=place,
        thread=thread,
        reply=reply,
        current=reply,
        revisions=list(reversed(found.body or [])),
    )
