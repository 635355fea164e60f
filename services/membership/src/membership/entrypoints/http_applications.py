"""HTTP routes of applications: apply, the moderators' queue, decisions, withdrawal."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.domain.cursors import MAX_LIMIT
from cerchia_chassis.text import Line
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import CHANGE, problems
from membership.entrypoints.schemas_admission import (
    ApplicationOut,
    ApplicationPage,
    Apply,
    Decide,
)
from membership.service import admission as use

router = APIRouter(prefix="/api/v1/communities/{community_id}/applications", tags=["admission"])
ONE = "/{application_id}"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationOut,
    summary="Apply",
    responses=CHANGE,
)
async def apply(community_id: str, body: Apply, me: CurrentUser, deps: Deps) -> ApplicationOut:
    """Apply to a community that admits by application; required questions need answers.

    Banned people are refused (403); a pending application or a membership is a 409.
    """
    application = await use.apply(
        community_id,
        user_id=me.user_id,
        answers=body.answers,
        code_version=body.code_of_conduct_version,
        ports=deps.community,
    )
    return ApplicationOut.of(application)


@router.get(
    "",
    response_model=ApplicationPage,
    summary="Moderators' queue",
    responses=problems(400, 403, 404),
)
async def queue(
    community_id: str,
    me: CurrentUser,
    *,
    deps: Deps,
    status_: Annotated[
        Literal["pending", "approved", "rejected", "withdrawn", "closed"], Query(alias="status")
    ] = "pending",
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> ApplicationPage:
    """Applications by status, oldest first (moderators only)."""
    page = await use.application_queue(
        community_id,
        status=status_,
        cursor=cursor,
        limit=limit,
        viewer_id=me.user_id,
        ports=deps.community,
    )
    return ApplicationPage.of(page)


@router.get(
    ONE,
    response_model=ApplicationOut,
    summary="Read an application",
    responses=problems(403, 404),
)
async def read_application(
    community_id: str, application_id: str, me: CurrentUser, deps: Deps
) -> ApplicationOut:
    """For the moderators and the applicant."""
    application = await use.read_application(
        community_id, application_id, viewer_id=me.user_id, ports=deps.community
    )
    return ApplicationOut.of(application)


async def _decide(
    community_id: str,
    application_id: str,
    body: Decide,
    me: CurrentUser,
    deps: Deps,
    *,
    approve: bool,
) -> ApplicationOut:
    application, _ = await use.decide_application(
        community_id,
        application_id,
        approve=approve,
        reason=body.reason,
        actor_id=me.user_id,
        ports=deps.community,
    )
    return ApplicationOut.of(application)


@router.post(
    f"{ONE}/approve",
    response_model=ApplicationOut,
    summary="Approve an application",
    responses=CHANGE,
)
async def approve(
    community_id: str, application_id: str, body: Decide, me: CurrentUser, deps: Deps
) -> ApplicationOut:
    """Moderators only: the applicant joins, or is waitlisted when the community is full."""
    return await _decide(community_id, application_id, body, me, deps, approve=True)


@router.post(
    f"{ONE}/reject",
    response_model=ApplicationOut,
    summary="Reject an application",
    responses=CHANGE,
)
async def reject(
    community_id: str, application_id: str, body: Decide, me: CurrentUser, deps: Deps
) -> ApplicationOut:
    """Moderators only; the reason is recorded and the applicant is notified."""
    return await _decide(community_id, application_id, body, me, deps, approve=False)


@router.post(
    f"{ONE}/withdraw",
    response_model=ApplicationOut,
    summary="Withdraw my application",
    responses=CHANGE,
)
async def withdraw(
    community_id: str, application_id: str, me: CurrentUser, deps: Deps
) -> ApplicationOut:
    """The applicant takes back a pending application; they may apply again later.

    Moderators cannot withdraw someone else's application (403: reject it instead); a decided
    application is a 409.
    """
    application = await use.withdraw_application(
        community_id, application_id, user_id=me.user_id, ports=deps.community
    )
    return ApplicationOut.of(application)
