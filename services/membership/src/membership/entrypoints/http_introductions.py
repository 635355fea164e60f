"""HTTP routes of introductions between members."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.text import Line
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import READ, problems
from membership.entrypoints.schemas_introductions import (
    IntroductionOut,
    Introductions,
    RequestIntroduction,
    SuggestionOut,
    Suggestions,
)
from membership.service import introductions as use

router = APIRouter(prefix="/api/v1/introductions", tags=["introductions"])
#: Introductions refuse no role: unknown people are 404, a pair already introduced a 409.
ANSWER = problems(404, 409)


@router.get(
    "/suggestions", response_model=Suggestions, summary="People worth meeting", responses=READ
)
async def suggestions(
    me: CurrentUser,
    deps: Deps,
    community_id: Annotated[Line | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Suggestions:
    """Members of your communities whose offers match your asks (or the other way round), or
    who share your interests; ranked, with the reasons."""
    found = await use.suggestions(
        user_id=me.user_id, community_id=community_id, limit=limit, ports=deps.community
    )
    return Suggestions(items=[SuggestionOut.of(s) for s in found])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IntroductionOut,
    summary="Ask",
    responses=ANSWER,
)
async def request(
    body: RequestIntroduction, me: CurrentUser, deps: Deps, response: Response
) -> IntroductionOut:
    """Ask a fellow member to connect; they accept or decline (one request per pair)."""
    view = await use.request_introduction(
        requester_id=me.user_id,
        recipient_id=body.recipient_id,
        community_id=body.community_id,
        note=body.note,
        ports=deps.community,
    )
    response.headers["Location"] = f"/api/v1/introductions/{view.introduction.id}"
    return IntroductionOut.of(view)


@router.get("", response_model=Introductions, summary="My introductions", responses=problems())
async def mine(me: CurrentUser, deps: Deps) -> Introductions:
    """Introductions you asked for or were asked to accept, newest first."""
    views = await use.my_introductions(user_id=me.user_id, ports=deps.community)
    return Introductions(items=[IntroductionOut.of(v) for v in views])


@router.get(
    "/{introduction_id}", response_model=IntroductionOut, summary="Read one", responses=READ
)
async def read(introduction_id: str, me: CurrentUser, deps: Deps) -> IntroductionOut:
    """For its two parties only; contact details appear once accepted."""
    view = await use.read_introduction(introduction_id, viewer_id=me.user_id, ports=deps.community)
    return IntroductionOut.of(view)


async def _answer(
    introduction_id: str, me: CurrentUser, deps: Deps, *, accept: bool
) -> IntroductionOut:
    view = await use.answer_introduction(
        introduction_id, user_id=me.user_id, accept=accept, ports=deps.community
    )
    return IntroductionOut.of(view)


@router.post(
    "/{introduction_id}/accept", response_model=IntroductionOut, summary="Accept", responses=ANSWER
)
async def accept(introduction_id: str, me: CurrentUser, deps: Deps) -> IntroductionOut:
    """The recipient accepts: both now see each other's contact details."""
    return await _answer(introduction_id, me, deps, accept=True)


@router.post(
    "/{introduction_id}/decline",
    response_model=IntroductionOut,
    summary="Decline",
    responses=ANSWER,
)
async def decline(introduction_id: str, me: CurrentUser, deps: Deps) -> IntroductionOut:
    """The recipient declines; no contact details are shared."""
    return await _answer(introduction_id, me, deps, accept=False)
