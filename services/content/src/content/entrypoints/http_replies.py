"""HTTP routes of replies and reactions: post (threaded), list, edit, delete, react."""

from fastapi import APIRouter, status

from cerchia_chassis.auth import CurrentUser
from content.entrypoints.deps import Cursor, Deps, Limit
from content.entrypoints.schemas import documented, people_out
from content.entrypoints.schemas_discussions import (
    EditReplyRequest,
    NewReplyRequest,
    ReactionName,
    ReactionsOut,
    ReplyOut,
    ReplyPage,
    RevisionOut,
    reactions_out,
    reply_out,
    revision_out,
)
from content.service import replies
from content.service.people import names

router = APIRouter(prefix="/api/v1", tags=["discussions"], responses=documented(401))
_NO_CONTENT = status.HTTP_204_NO_CONTENT
_POST = documented(403, 404, 409, 422, 429)
_WRITE = documented(403, 404, 409, 422)
_READ = documented(403, 404, 422)
_PAGE = documented(400, 403, 404, 422)


@router.get(
    "/threads/{thread_id}/replies",
    response_model=ReplyPage,
    summary="List a thread's replies",
    responses=_PAGE,
)
async def list_replies(
    thread_id: str, me: CurrentUser, deps: Deps, cursor: Cursor = None, limit: Limit = 50
) -> ReplyPage:
    """Replies in posting order; `parent_id` gives the tree."""
    page = await replies.list_replies(
        thread_id, me.user_id, cursor=cursor, limit=limit, ports=deps.ports
    )
    people = people_out(await names([r.author_id for r in page.items], ports=deps.ports))
    return ReplyPage(
        items=[reply_out(r, user_id=me.user_id, people=people) for r in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/threads/{thread_id}/replies",
    status_code=status.HTTP_201_CREATED,
    response_model=ReplyOut,
    summary="Reply in a thread",
    responses=_POST,
)
async def post_reply(
    thread_id: str, body: NewReplyRequest, me: CurrentUser, deps: Deps
) -> ReplyOut:
    """Reply to the thread or to a reply; the replier follows the thread from now on."""
    reply = await replies.post_reply(
        thread_id, me.user_id, body=body.body, parent_id=body.parent_id, ports=deps.ports
    )
    return reply_out(
        reply, user_id=me.user_id, people=people_out(await names([me.user_id], ports=deps.ports))
    )


@router.get("/replies/{reply_id}", response_model=ReplyOut, summary="Read a reply", responses=_READ)
async def read_reply(reply_id: str, me: CurrentUser, deps: Deps) -> ReplyOut:
    """One reply, with its thread's id (a flagged reply's context, a permalink's target)."""
    reply = await replies.read_reply(reply_id, me.user_id, ports=deps.ports)
    people = people_out(await names([reply.author_id], ports=deps.ports))
    return reply_out(reply, user_id=me.user_id, people=people)


@router.patch(
    "/replies/{reply_id}", response_model=ReplyOut, summary="Edit a reply", responses=_WRITE
)
async def edit_reply(
    reply_id: str, body: EditReplyRequest, me: CurrentUser, deps: Deps
) -> ReplyOut:
    """The author edits; earlier versions stay in the history."""
    reply = await replies.edit_reply(reply_id, me.user_id, body=body.body, ports=deps.ports)
    return reply_out(
        reply, user_id=me.user_id, people=people_out(await names([me.user_id], ports=deps.ports))
    )


@router.delete(
    "/replies/{reply_id}", status_code=_NO_CONTENT, summary="Delete a reply", responses=_WRITE
)
async def delete_reply(reply_id: str, me: CurrentUser, deps: Deps) -> None:
    """The author or a moderator deletes (soft delete)."""
    await replies.delete_reply(reply_id, me.user_id, ports=deps.ports)


@router.get(
    "/replies/{reply_id}/history",
    response_model=list[RevisionOut],
    summary="A reply's edit history",
    responses=_READ,
)
async def reply_history(reply_id: str, me: CurrentUser, deps: Deps) -> list[RevisionOut]:
    """Earlier versions of the reply, oldest first."""
    history = await replies.reply_history(reply_id, me.user_id, ports=deps.ports)
    return [revision_out(r) for r in history]


@router.put(
    "/threads/{thread_id}/reactions/{reaction}",
    response_model=ReactionsOut,
    summary="React to a thread",
    responses=_WRITE,
)
async def react_thread(
    thread_id: str, reaction: ReactionName, me: CurrentUser, deps: Deps
) -> ReactionsOut:
    """Add one of the fixed reactions to the opening post."""
    found = await replies.react(
        "thread", thread_id, me.user_id, reaction, on=True, ports=deps.ports
    )
    return reactions_out(found, me.user_id)


@router.delete(
    "/threads/{thread_id}/reactions/{reaction}",
    response_model=ReactionsOut,
    summary="Withdraw a reaction",
    responses=_WRITE,
)
async def unreact_thread(
    thread_id: str, reaction: ReactionName, me: CurrentUser, deps: Deps
) -> ReactionsOut:
    """Withdraw a reaction from the opening post."""
    found = await replies.react(
        "thread", thread_id, me.user_id, reaction, on=False, ports=deps.ports
    )
    return reactions_out(found, me.user_id)


@router.put(
    "/replies/{reply_id}/reactions/{reaction}",
    response_model=ReactionsOut,
    summary="React to a reply",
    responses=_WRITE,
)
async def react_reply(
    reply_id: str, reaction: ReactionName, me: CurrentUser, deps: Deps
) -> ReactionsOut:
    """Add one of the fixed reactions to a reply."""
    found = await replies.react("reply", reply_id, me.user_id, reaction, on=True, ports=deps.ports)
    return reactions_out(found, me.user_id)


@router.delete(
    "/replies/{reply_id}/reactions/{reaction}",
    response_model=ReactionsOut,
    summary="Withdraw a reaction from a reply",
    responses=_WRITE,
)
async def unreact_reply(
    reply_id: str, reaction: ReactionName, me: CurrentUser, deps: Deps
) -> ReactionsOut:
    """Withdraw a reaction from a reply."""
    found = await replies.react("reply", reply_id, me.user_id, reaction, on=False, ports=deps.ports)
    return reactions_out(found, me.user_id)
