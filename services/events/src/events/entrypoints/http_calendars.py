"""HTTP routes for calendar feeds: a personal secret-URL feed and community feeds."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import problem_responses
from events.entrypoints.deps import Deps
from events.entrypoints.schemas_calendars import FeedTokenOut
from events.service import calendars

router = APIRouter(prefix="/api/v1/calendars", tags=["calendars"])

_CALENDAR: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}},
    404: {"description": "Unknown feed"},
}
FEED_PATH = "/api/v1/calendars/feeds/{token}.ics"
Token = Annotated[str, Path(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


def _calendar(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
        },
    )


@router.post(
    "/me/feed",
    response_model=FeedTokenOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create (or rotate) your personal calendar feed URL",
    responses=problem_responses(401),
)
async def issue_feed(me: CurrentUser, deps: Deps) -> FeedTokenOut:
    """A new secret URL; any previous one stops working."""
    token = await calendars.issue_feed_token(me.user_id, now=datetime.now(UTC), ports=deps.ports)
    return FeedTokenOut(url=FEED_PATH.format(token=token), token=token)


@router.delete(
    "/me/feed",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke your personal calendar feed URL",
    responses=problem_responses(401),
)
async def revoke_feed(me: CurrentUser, deps: Deps) -> Response:
    """The URL stops working at once."""
    await calendars.revoke_feed_token(me.user_id, ports=deps.ports)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/feeds/{token}.ics",
    summary="Your personal calendar feed (secret URL, no sign-in)",
    response_class=Response,
    responses=_CALENDAR,
)
async def personal_feed(token: Token, deps: Deps) -> Response:
    """Every event you are going to across your communities, cancellations included."""
    body = await calendars.personal_feed(token, now=datetime.now(UTC), ports=deps.ports)
    return _calendar(body, "cerchia.ics")


@router.get(
    "/communities/{community_id}.ics",
    summary="A public community's calendar of public events",
    response_class=Response,
    responses=_CALENDAR,
)
async def community_feed(community_id: str, deps: Deps) -> Response:
    """Anyone may subscribe; links and addresses are left out."""
    body = await calendars.community_feed(community_id, now=datetime.now(UTC), ports=deps.ports)
    return _calendar(body, f"{community_id}.ics")
