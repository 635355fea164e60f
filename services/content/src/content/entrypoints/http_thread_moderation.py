"""HTTP routes of the moderators' thread tools: pin, lock, move."""

from fastapi import APIRouter

from cerchia_chassis.auth import CurrentUser
from content.entrypoints.deps import Deps
from content.entrypoints.http_threads import thread_response
from content.entrypoints.schemas import documented
from content.entrypoints.schemas_discussions import MoveThreadRequest, ThreadOut
from content.service import thread_moderation

router = APIRouter(prefix="/api/v1", tags=["discussions"], responses=documented(401))
_WRITE = documented(403, 404, 409, 422)


@router.put(
    "/threads/{thread_id}/pin", response_model=ThreadOut, summary="Pin a thread", responses=_WRITE
)
async def pin(thread_id: str, me: CurrentUser, deps: Deps) -> ThreadOut:
    """Moderators pin a thread to the top."""
    thread = await thread_moderation.set_thread_state(
        thread_id, me.user_id, pinned=True, ports=deps.ports
    )
    return await thread_response(thread, me.user_id, deps.ports)


@router.delete(
    "/threads/{thread_id}/pin", response_model=ThreadOut, summary="Unpin a thread", responses=_WRITE
)
async def unpin(thread_id: str, me: CurrentUser, deps: Deps) -> ThreadOut:
    """Moderators unpin a thread."""
    thread = await thread_moderation.set_thread_state(
        thread_id, me.user_id, pinned=False, ports=deps.ports
    )
    return await thread_response(thread, me.user_id, deps.ports)


@router.put(
    "/threads/{thread_id}/lock", response_model=ThreadOut, summary="Lock a thread", responses=_WRITE
)
async def lock(thread_id: str, me: CurrentUser, deps: Deps) -> ThreadOut:
    """Moderators lock a thread: no more replies."""
    thread = await thread_moderation.set_thread_state(
        thread_id, me.user_id, locked=True, ports=deps.ports
    )
    return await thread_response(thread, me.user_id, deps.ports)


@router.delete(
    "/threads/{thread_id}/lock",
    response_model=ThreadOut,
    summary="Unlock a thread",
    responses=_WRITE,
)
async def unlock(thread_id: str, me: CurrentUser, deps: Deps) -> ThreadOut:
    """Moderators unlock a thread."""
    thread = await thread_moderation.set_thread_state(
        thread_id, me.user_id, locked=False, ports=deps.ports
    )
    return await thread_response(thread, me.user_id, deps.ports)


@router.post(
    "/threads/{thread_id}/move", response_model=ThreadOut, summary="Move a thread", responses=_WRITE
)
async def move(thread_id: str, body: MoveThreadRequest, me: CurrentUser, deps: Deps) -> ThreadOut:
    """Moderators refile a thread under another category and/or tags."""
    thread = await thread_moderation.move_thread(
        thread_id,
        me.user_id,
        category=body.category,
        tags=tuple(body.tags) if body.tags is not None else None,
        ports=deps.ports,
    )
    return await thread_response(thread, me.user_id, deps.ports)
