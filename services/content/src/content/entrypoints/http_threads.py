"""HTTP routes of threads: open, list, read, edit (history kept), delete, follow, read state."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.text import Line
from content.domain.discussions import Thread
from content.entrypoints.deps import Cursor, Deps, Limit
from content.entrypoints.schemas import documented, people_out
from content.entrypoints.schemas_discussions import (
    CategoryOut,
    EditThreadRequest,
    NewThreadRequest,
    RevisionOut,
    ThreadOut,
    ThreadPage,
    revision_out,
    thread_out,
)
from content.service import threads
from content.service.people import names
from content.service.ports import Ports

router = APIRouter(prefix="/api/v1", tags=["discussions"], responses=documented(401))
_NO_CONTENT = status.HTTP_204_NO_CONTENT
_POST = documented(403, 404, 409, 422, 429)
_WRITE = documented(403, 404, 409, 422)
_READ = documented(403, 404, 422)
_PAGE = documented(400, 403, 404, 422)


async def thread_response(thread: Thread, user_id: str, ports: Ports) -> ThreadOut:
    """The caller's view of one thread (author shown, read state)."""
    people = people_out(await names([thread.author_id], ports=ports))
    read_at = await threads.read_at(thread, user_id, ports=ports)
    return thread_out(thread, user_id=user_id, people=people, read_at=read_at)


@router.post(
    "/communities/{community_id}/threads",
    status_code=status.HTTP_201_CREATED,
    response_model=ThreadOut,
    summary="Open a thread",
    responses=_POST,
)
async def open_thread(
    community_id: str, body: NewThreadRequest, me: CurrentUser, deps: Deps, response: Response
) -> ThreadOut:
    """Members who accepted the current code of conduct open threads; @mentions are notified."""
    thread = await threads.start_thread(
        community_id,
        me.user_id,
        threads.NewThread(
            title=body.title, body=body.body, tags=tuple(body.tags), category=body.category
        ),
        ports=deps.ports,
    )
    response.headers["Location"] = f"/api/v1/threads/{thread.id}"
    return await thread_response(thread, me.user_id, deps.ports)


def thread_query(
    *,
    cursor: Cursor = None,
    limit: Limit = 20,
    sort: Annotated[
        Literal["activity", "newest"],
        Query(description="activity: pinned first, then latest activity; newest: by creation."),
    ] = "activity",
    category: Annotated[Line | None, Query(max_length=32)] = None,
    tag: Annotated[Line | None, Query(max_length=32)] = None,
    unread: Annotated[bool, Query(description="Only threads with news for the caller.")] = False,
) -> threads.ThreadQuery:
    """The listing's query parameters."""
    return threads.ThreadQuery(
        sort=sort, category=category, tag=tag, unread=unread, cursor=cursor, limit=limit
    )


@router.get(
    "/communities/{community_id}/threads",
    response_model=ThreadPage,
    summary="List a community's threads",
    responses=_PAGE,
)
async def list_threads(
    community_id: str,
    me: CurrentUser,
    deps: Deps,
    query: Annotated[threads.ThreadQuery, Depends(thread_query)],
) -> ThreadPage:
    """Cursor-paginated; each thread says whether it has news for the caller."""
    listing = await threads.list_threads(community_id, me.user_id, query, ports=deps.ports)
    people = people_out(await names([t.author_id for t in listing.page.items], ports=deps.ports))
    items = [
        thread_out(t, user_id=me.user_id, people=people, read_at=listing.read_at.get(t.id))
        for t in listing.page.items
    ]
    return ThreadPage(items=items, next_cursor=listing.page.next_cursor)


@router.get(
    "/communities/{community_id}/categories",
    response_model=list[CategoryOut],
    summary="Categories in use",
    responses=_READ,
)
async def list_categories(community_id: str, me: CurrentUser, deps: Deps) -> list[CategoryOut]:
    """The categories threads are filed under, with their thread counts."""
    counts = await threads.categories(community_id, me.user_id, ports=deps.ports)
    return [CategoryOut(name=name, threads=n) for name, n in counts.items()]


@router.get(
    "/threads/{thread_id}", response_model=ThreadOut, summary="Read a thread", responses=_READ
)
async def get_thread(thread_id: str, me: CurrentUser, deps: Deps) -> ThreadOut:
    """One thread's opening post and state."""
    thread, _ = await threads.readable_thread(thread_id, me.user_id, ports=deps.ports)
    return await thread_response(thread, me.user_id, deps.ports)


@router.patch(
    "/threads/{thread_id}", response_model=ThreadOut, summary="Edit a thread", responses=_WRITE
)
async def edit_thread(
    thread_id: str, body: EditThreadRequest, me: CurrentUser, deps: Deps
) -> ThreadOut:
    """The author edits; earlier versions stay in the history."""
    thread = await threads.edit_thread(
        thread_id,
        me.user_id,
        title=body.title,
        body=body.body,
        tags=body.tags,
        ports=deps.ports,
    )
    return await thread_response(thread, me.user_id, deps.ports)


@router.delete(
    "/threads/{thread_id}", status_code=_NO_CONTENT, summary="Delete a thread", responses=_WRITE
)
async def delete_thread(thread_id: str, me: CurrentUser, deps: Deps) -> None:
    """The author or a moderator deletes (soft delete)."""
    await threads.delete_thread(thread_id, me.user_id, ports=deps.ports)


@router.get(
    "/threads/{thread_id}/history",
    response_model=list[RevisionOut],
    summary="A thread's edit history",
    responses=_READ,
)
async def thread_history(thread_id: str, me: CurrentUser, deps: Deps) -> list[RevisionOut]:
    """Earlier versions of the opening post, oldest first."""
    return [
        revision_out(r)
        for r in await threads.thread_history(thread_id, me.user_id, ports=deps.ports)
    ]


@router.put(
    "/threads/{thread_id}/follow",
    status_code=_NO_CONTENT,
    summary="Follow a thread",
    responses=_READ,
)
async def follow(thread_id: str, me: CurrentUser, deps: Deps) -> None:
    """Get notified of replies to this thread."""
    await threads.follow_thread(thread_id, me.user_id, on=True, ports=deps.ports)


@router.delete(
    "/threads/{thread_id}/follow",
    status_code=_NO_CONTENT,
    summary="Unfollow a thread",
    responses=_READ,
)
async def unfollow(thread_id: str, me: CurrentUser, deps: Deps) -> None:
    """Stop being notified of replies to this thread."""
    await threads.follow_thread(thread_id, me.user_id, on=False, ports=deps.ports)


@router.post(
    "/threads/{thread_id}/read",
    status_code=_NO_CONTENT,
    summary="Mark a thread read",
    responses=_READ,
)
async def mark_read(thread_id: str, me: CurrentUser, deps: Deps) -> None:
    """The thread has no news for the caller until the next reply."""
    await threads.mark_read(thread_id, me.user_id, ports=deps.ports)
