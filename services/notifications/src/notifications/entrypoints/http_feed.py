"""The in-app feed: pages, unread count, mark read, and the realtime stream (SSE)."""

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, status
from sse_starlette import EventSourceResponse, ServerSentEvent

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import problem_responses
from cerchia_chassis.text import Line
from notifications.domain.feed import FeedItem
from notifications.entrypoints.deps import Deps
from notifications.entrypoints.schemas import FeedOut, MarkedOut, NotificationOut, UnreadOut
from notifications.service.feed import (
    feed_page,
    follow_feed,
    mark_all_read,
    mark_read,
    unread_count,
)

router = APIRouter(prefix="/api/v1/notifications", tags=["feed"])


def _out(item: FeedItem) -> NotificationOut:
    return NotificationOut(
        id=item.id,
        kind=item.kind,
        category=item.category,
        title=item.title,
        body=item.body,
        link=item.link,
        community_id=item.community_id,
        actor_id=item.actor_id,
        created_at=item.created_at,
        read=item.read_at is not None,
    )


@router.get(
    "",
    response_model=FeedOut,
    summary="The caller's notifications, newest first",
    responses=problem_responses(
        400, 401, 422, descriptions={400: "The cursor was not issued by this API"}
    ),
)
async def list_notifications(
    me: CurrentUser,
    deps: Deps,
    cursor: Annotated[Line | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> FeedOut:
    """Cursor pagination: pass the previous page's `next_cursor`."""
    page = await feed_page(me.user_id, cursor=cursor, limit=limit, ports=deps.ports)
    return FeedOut(items=[_out(i) for i in page.items], next_cursor=page.next_cursor)


@router.get(
    "/unread-count",
    response_model=UnreadOut,
    summary="How many are unread",
    responses=problem_responses(401),
)
async def get_unread_count(me: CurrentUser, deps: Deps) -> UnreadOut:
    """The badge number."""
    return UnreadOut(unread=await unread_count(me.user_id, ports=deps.ports))


@router.post(
    "/read-all",
    response_model=MarkedOut,
    summary="Mark every notification read",
    responses=problem_responses(401),
)
async def read_all(me: CurrentUser, deps: Deps) -> MarkedOut:
    """Idempotent."""
    return MarkedOut(marked=await mark_all_read(me.user_id, ports=deps.ports))


@router.post(
    "/{notification_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark one notification read",
    responses=problem_responses(
        401, 404, 422, descriptions={404: "No such notification of the caller"}
    ),
)
async def read_one(notification_id: str, me: CurrentUser, deps: Deps) -> None:
    """Only the caller's own notifications can be marked (others are reported as absent)."""
    await mark_read(me.user_id, notification_id, ports=deps.ports)


@router.get(
    "/stream",
    summary="New notifications as server-sent events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **problem_responses(401, 422)},
)
async def stream(
    me: CurrentUser,
    deps: Deps,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> EventSourceResponse:
    """Each event is a `notification` whose `id` is the notification id; a reconnecting client
    sends `Last-Event-ID` and receives what it missed first."""

    async def events() -> AsyncIterator[ServerSentEvent]:
        async for item in follow_feed(me.user_id, last_event_id, ports=deps.ports):
            yield ServerSentEvent(
                id=item.id,
                event="notification",
                data=json.dumps(_out(item).model_dump(mode="json")),
            )

    return EventSourceResponse(events(), ping=int(deps.settings.stream_ping_s))
