"""HTTP routes of discussions: threads, replies, reactions, follows, read state, moderator tools."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from cerchia_chassis.auth import CurrentUser
from content.domain.discussions import Thread
from content.entrypoints.dependencies import Cursor, Limit, PortsDep, people_out
from content.entrypoints.discussion_schemas import (
    CategoryOut,
    EditReplyRequest,
    EditThreadRequest,
    MoveThreadRequest,
    NewReplyRequest,
    NewThreadRequest,
    ReactionName,
    ReactionsOut,
    ReplyOut,
    ReplyPage,
    RevisionOut,
    ThreadOut,
    ThreadPage,
    reactions_out,
    reply_out,
    revision_out,
    thread_out,
)
from content.entrypoints.responses import problems
from content.service import moderation, replies, threads
from content.service.access import viewer_in

router = APIRouter(prefix="/api/v1", tags=["discussions"], responses=problems(401))
_NO_CONTENT = status.HTTP_204_NO_CONTENT
_WRITE = problems(403, 404, 409, 422, 429)
_READ = problems(403, 404, 422)


async def _thread_out(thread: Thread, user_id: str, ports: PortsDep) -> ThreadOut:
    people = await people_out(ports, [thread.author_id])
    read_at = (await ports.reads.read_at(user_id, [thread.id])).get(thread.id)
    return thread_out(thread, user_id=user_id, people=people, read_at=read_at)


@router.post(
    "/communities/{community_id}/threads",
    status_code=status.HTTP_201_CREATED,
    response_model=ThreadOut,
    summary="Open a thread",
    responses=_WRITE,
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
    return await _thread_out(thread, me.user_id, ports)


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
        ports=ports,
    )
    people = await people_out(ports, [t.author_id for t in listing.page.items])
    items = [
        thread_out(t, user_id=me.user_id, people=people, read_at=listing.read_at.get(t.id))
        for t in listing.page.items
    ]
    if unread:
        items = [item for item in items if item.unread]
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
    return await _thread_out(thread, me.user_id, ports)


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
    return await _thread_out(thread, me.user_id, ports)


@router.delete(
    "/threads/{thread_id}", status_code=_NO_CONTENT, summary="Delete a thread", responses=_WRITE
)
async def delete_thread(thread_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """The author or a moderator deletes (soft delete)."""
    await threads.delete_thread(thread_id, me.user_id, ports=ports)


@router.get(
    "/threads/{thread_id}/history",
    response_model=list[RevisionOut],
    summary="Edit history",
    responses=_READ,
)
async def thread_history(thread_id: str, me: CurrentUser, ports: PortsDep) -> list[RevisionOut]:
    """Earlier versions of the opening post, oldest first."""
    return [
        revision_out(r) for r in await threads.thread_history(thread_id, me.user_id, ports=ports)
    ]


@router.put(
    "/threads/{thread_id}/follow", status_code=_NO_CONTENT, summary="Follow", responses=_READ
)
async def follow(thread_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """Get notified of replies to this thread."""
    await threads.follow_thread(thread_id, me.user_id, on=True, ports=ports)


@router.delete(
    "/threads/{thread_id}/follow", status_code=_NO_CONTENT, summary="Unfollow", responses=_READ
)
async def unfollow(thread_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """Stop being notified of replies to this thread."""
    await threads.follow_thread(thread_id, me.user_id, on=False, ports=ports)


@router.post(
    "/threads/{thread_id}/read", status_code=_NO_CONTENT, summary="Mark read", responses=_READ
)
async def mark_read(thread_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """The thread has no news for the caller until the next reply."""
    await threads.mark_read(thread_id, me.user_id, ports=ports)


@router.put("/threads/{thread_id}/pin", response_model=ThreadOut, summary="Pin", responses=_WRITE)
async def pin(thread_id: str, me: CurrentUser, ports: PortsDep) -> ThreadOut:
    """Moderators pin a thread to the top."""
    thread = await moderation.set_thread_state(thread_id, me.user_id, pinned=True, ports=ports)
    return await _thread_out(thread, me.user_id, ports)


@router.delete(
    "/threads/{thread_id}/pin", response_model=ThreadOut, summary="Unpin", responses=_WRITE
)
async def unpin(thread_id: str, me: CurrentUser, ports: PortsDep) -> ThreadOut:
    """Moderators unpin a thread."""
    thread = await moderation.set_thread_state(thread_id, me.user_id, pinned=False, ports=ports)
    return await _thread_out(thread, me.user_id, ports)


@router.put("/threads/{thread_id}/lock", response_model=ThreadOut, summary="Lock", responses=_WRITE)
async def lock(thread_id: str, me: CurrentUser, ports: PortsDep) -> ThreadOut:
    """Moderators lock a thread: no more replies."""
    thread = await moderation.set_thread_state(thread_id, me.user_id, locked=True, ports=ports)
    return await _thread_out(thread, me.user_id, ports)


@router.delete(
    "/threads/{thread_id}/lock", response_model=ThreadOut, summary="Unlock", responses=_WRITE
)
async def unlock(thread_id: str, me: CurrentUser, ports: PortsDep) -> ThreadOut:
    """Moderators unlock a thread."""
    thread = await moderation.set_thread_state(thread_id, me.user_id, locked=False, ports=ports)
    return await _thread_out(thread, me.user_id, ports)


@router.post(
    "/threads/{thread_id}/move", response_model=ThreadOut, summary="Move", responses=_WRITE
)
async def move(
    thread_id: str, body: MoveThreadRequest, me: CurrentUser, ports: PortsDep
) -> ThreadOut:
    """Moderators refile a thread under another category and/or tags."""
    thread = await moderation.move_thread(
        thread_id,
        me.user_id,
        category=body.category,
        tags=tuple(body.tags) if body.tags is not None else None,
        ports=ports,
    )
    return await _thread_out(thread, me.user_id, ports)


@router.get(
    "/threads/{thread_id}/replies", response_model=ReplyPage, summary="Replies", responses=_READ
)
async def list_replies(
    thread_id: str, me: CurrentUser, ports: PortsDep, cursor: Cursor = None, limit: Limit = 50
) -> ReplyPage:
    """Replies in posting order; `parent_id` gives the tree."""
    page = await replies.list_replies(
        thread_id, me.user_id, cursor=cursor, limit=limit, ports=ports
    )
    people = await people_out(ports, [r.author_id for r in page.items])
    return ReplyPage(
        items=[reply_out(r, user_id=me.user_id, people=people) for r in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/threads/{thread_id}/replies",
    status_code=status.HTTP_201_CREATED,
    response_model=ReplyOut,
    summary="Reply",
    responses=_WRITE,
)
async def post_reply(
    thread_id: str, body: NewReplyRequest, me: CurrentUser, ports: PortsDep
) -> ReplyOut:
    """Reply to the thread or to a reply; the replier follows the thread from now on."""
    reply = await replies.post_reply(
        thread_id, me.user_id, body=body.body, parent_id=body.parent_id, ports=ports
    )
    return reply_out(reply, user_id=me.user_id, people=await people_out(ports, [me.user_id]))


@router.patch(
    "/replies/{reply_id}", response_model=ReplyOut, summary="Edit a reply", responses=_WRITE
)
async def edit_reply(
    reply_id: str, body: EditReplyRequest, me: CurrentUser, ports: PortsDep
) -> ReplyOut:
    """The author edits; earlier versions stay in the history."""
    reply = await replies.edit_reply(reply_id, me.user_id, body=body.body, ports=ports)
    return reply_out(reply, user_id=me.user_id, people=await people_out(ports, [me.user_id]))


@router.delete(
    "/replies/{reply_id}", status_code=_NO_CONTENT, summary="Delete a reply", responses=_WRITE
)
async def delete_reply(reply_id: str, me: CurrentUser, ports: PortsDep) -> None:
    """The author or a moderator deletes (soft delete)."""
    await replies.delete_reply(reply_id, me.user_id, ports=ports)


@router.get(
    "/replies/{reply_id}/history",
    response_model=list[RevisionOut],
    summary="Reply history",
    responses=_READ,
)
async def reply_history(reply_id: str, me: CurrentUser, ports: PortsDep) -> list[RevisionOut]:
    """Earlier versions of the reply, oldest first."""
    return [revision_out(r) for r in await replies.reply_history(reply_id, me.user_id, ports=ports)]


async def _react(
    *,
    kind: Literal["thread", "reply"],
    post_id: str,
    reaction: str,
    on: bool,
    me: CurrentUser,
    ports: PortsDep,
) -> ReactionsOut:
    found = await replies.react(kind, post_id, me.user_id, reaction, on=on, ports=ports)
    return reactions_out(found, me.user_id)


@router.put(
    "/threads/{thread_id}/reactions/{reaction}",
    response_model=ReactionsOut,
    summary="React",
    responses=_WRITE,
)
async def react_thread(
    thread_id: str, reaction: ReactionName, me: CurrentUser, ports: PortsDep
) -> ReactionsOut:
    """Add one of the fixed reactions to the opening post."""
    return await _react(
        kind="thread", post_id=thread_id, reaction=reaction, on=True, me=me, ports=ports
    )


@router.delete(
    "/threads/{thread_id}/reactions/{reaction}",
    response_model=ReactionsOut,
    summary="Withdraw a reaction",
    responses=_WRITE,
)
async def unreact_thread(
    thread_id: str, reaction: ReactionName, me: CurrentUser, ports: PortsDep
) -> ReactionsOut:
    """Withdraw a reaction from the opening post."""
    return await _react(
        kind="thread", post_id=thread_id, reaction=reaction, on=False, me=me, ports=ports
    )


@router.put(
    "/replies/{reply_id}/reactions/{reaction}",
    response_model=ReactionsOut,
    summary="React to a reply",
    responses=_WRITE,
)
async def react_reply(
    reply_id: str, reaction: ReactionName, me: CurrentUser, ports: PortsDep
) -> ReactionsOut:
    """Add one of the fixed reactions to a reply."""
    return await _react(
        kind="reply", post_id=reply_id, reaction=reaction, on=True, me=me, ports=ports
    )


@router.delete(
    "/replies/{reply_id}/reactions/{reaction}",
    response_model=ReactionsOut,
    summary="Withdraw a reaction from a reply",
    responses=_WRITE,
)
async def unreact_reply(
    reply_id: str, reaction: ReactionName, me: CurrentUser, ports: PortsDep
) -> ReactionsOut:
    """Withdraw a reaction from a reply."""
    return await _react(
        kind="reply", post_id=reply_id, reaction=reaction, on=False, me=me, ports=ports
    )
