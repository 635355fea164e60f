"""HTTP routes of threads: open, list, read, edit (history kept), delete, follow, read state."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from cerchia_chassis.auth import CurrentUser
from content.domain.discussions import Thread
from content.entrypoints.dependencies import Cursor, Limit, PortsDep, people_out
from content.entrypoints.discussion_schemas import (
    CategoryOut,
    EditThreadRequest,
    NewThreadRequest,
    RevisionOut,
    ThreadOut,
    ThreadPage,
    revision_out,
    thread_out,
)
from content.entrypoints.responses import documented
from content.service import threads
from content.service.access import viewer_in
from content.service.ports import Ports

router = APIRouter(prefix="/api/v1", tags=["discussions"], responses=documented(401))
_NO_CONTENT = status.HTTP_204_NO_CONTENT
_POST = documented(403, 404, 409, 422, 429)
_WRITE = documented(403, 404, 409, 422)
_READ = documented(403, 404, 422)


async def thread_response(thread: Thread, user_id: str, ports: Ports) -> ThreadOut:
    """The caller's view of one thread (author shown, read state)."""
    people = await people_out(ports, [thread.author_id])
    read_at = (await ports.reads.read_at(user_id, [thread.id])).get(thread.id)
    return thread_out(thread, user_id=user_id, people=people, read_at=read_at)


@router.post(
    "/communities/{community_id}/threads",
    status_code=status.HTTP_201_CREATED,
    response_model=ThreadOut,
    summary="Open a thread",
    responses=_POST,
)
async def open_thread(
    community_id: str, body: NewThreadRequest, me: CurrentUser, ports: PortsDep, response: Response
) -> ThreadOut:
    """Members who accepted the current code of conduct open threads; @mentions are notified."""
    thread = await threads.start_thread(
        community_id,
        me.user_id,
        threads.NewThread(
            title=body.title, body=body.body, tags=tuple(body.tags), category=body.category
        ),
        ports=ports,
    )
    response.headers["Location"] = f"/api/v1/threads/{thread.id}"
    return await thread_response(thread, me.user_id, ports)


@router.get(
    "/communities/{community_id}/threads",
    response_model=ThreadPage,
    summary="List a community's threads",
    responses=_READ,
)
async def list_threads(
    community_id: str,
    *,
    me: CurrentUser,
    ports: PortsDep,
    cursor: Cursor = None,
    limit: Limit = 20,
    sort: Annotated[
        Literal["activity", "newest"],
        Query(description="activity: pinned first, then latest activity; newest: by creation."),
    ] = "activity",
    category: Annotated[str | None, Query(max_length=32)] = None,
    tag: Annotated[str | None, Query(max_length=32)] = None,
    unread: Annotated[bool, Query(description="Only threads with news for the caller.")] = False,
) -> ThreadPage:
    """Cursor-paginated; each thread says whether it has news for the caller."""
    listing = await threads.list_threads(
        community_id,
        me.user_id,
        sort=sort,
        cursor=cursor,
        limit=limit,
        category=category,
        tag=tag,
        unread=unread,
        ports=ports,
    )
    people = await people_out(ports, [t.author_id for t in listing.page.items])
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
async def list_categories(community_id: str, me: CurrentUser, ports: PortsDep) -> list[CategoryOut]:
    """The categories threads are filed under, with their thread counts."""
    viewer = await viewer_in(ports.directory, community_id, me.user_id)
    viewer.require_read()
    counts = await ports.threads.categories(community_id)
    return [CategoryOut(name=name, threads=n) for name, n in counts.items()]


@router.get(
    "/threads/{thread_id}", response_model=ThreadOut, summary="Read a thread", responses=_READ
)
async def get_thread(thread_id: str, me: CurrentUser, ports: PortsDep) -> ThreadOut:
    """One thread's opening post and state."""
    thread, _ = await threads.readable_thread(thread_id, me.user_id, ports=ports)
    return await thread_response(thread, me.user_id, ports)


@router.patch(
    "/threads/{thread_id}", response_model=ThreadOut, summary="Edit a thread", responses=_WRITE
)
async def edit_thread(
    thread_id: str, body: EditThreadRequest, me: CurrentUser, ports: PortsDep
) -> ThreadOut:
    """The author edits; earlier versions stay in the history."""
    thread = await threads.edit_thread(
        thread_id,
        me.user_id,
        title=body.title,
        body=body.body,
        tags=tuple(body.tags) if body.tags is not None else None,
        ports=ports,
    )
    return await thread_response(thread, me.user_id, ports)


@router.delete(
    "/threads/{thread_id}", status_code=_NO_CONTENT, summary="Delete a thread", responses=_WRITE
)
async def delete_thread(thread_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """The author or a moderator deletes (soft delete)."""
    await threads.delete_thread(thread_id, me.user_id, ports=ports)


@router.get(
    "/threads/{thread_id}/history",
    response_model=list[RevisionOut],
    summary="A thread's edit history",
    responses=_READ,
)
async def thread_history(thread_id: str, me: CurrentUser, ports: PortsDep) -> list[RevisionOut]:
    """Earlier versions of the opening post, oldest first."""
    return [
        revision_out(r) for r in await threads.thread_history(thread_id, me.user_id, ports=ports)
    ]


@router.put(
    "/threads/{thread_id}/follow",
    status_code=_NO_CONTENT,
    summary="Follow a thread",
    responses=_READ,
)
async def follow(thread_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """Get notified of replies to this thread."""
    await threads.follow_thread(thread_id, me.user_id, on=True, ports=ports)


@router.delete(
    "/threads/{thread_id}/follow",
    status_code=_NO_CONTENT,
    summary="Unfollow a thread",
    responses=_READ,
)
async def unfollow(thread_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """Stop being notified of replies to this thread."""
    await threads.follow_thread(thread_id, me.user_id, on=False, ports=ports)


@router.post(
    "/threads/{thread_id}/read",
    status_code=_NO_CONTENT,
    summary="Mark a thread read",
    responses=_READ,
)
async def mark_read(thread_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """The thread has no news for the caller until the next reply."""
    await threads.mark_read(thread_id, me.user_id, ports=ports)
