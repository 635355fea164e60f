"""Account routes: register, read my account, erase it."""

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from cerchia_chassis.auth import CurrentUser
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import documented
from membership.entrypoints.schemas_accounts import (
    EraseRequest,
    ErasurePreview,
    OwnedCommunityOutcome,
    RegisterRequest,
    UserResponse,
)
from membership.service.privacy import erase_account, erasure_consequences
from membership.service.profiles import my_profile
from membership.service.registration import register_user

router = APIRouter(prefix="/api/v1/users", tags=["accounts"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserResponse,
    summary="Register an account",
    responses=documented(422),
)
async def register(body: RegisterRequest, deps: Deps, response: Response) -> UserResponse:
    """Register an account; the welcome email and the verification link follow by email.

    An address that already has an account is answered the same way (201, an account of the
    same shape, which is never stored), so sign-up does not reveal who has an account; the
    address's owner is emailed that someone tried to sign up with it instead.
    """
    user = await register_user(body.registration(), ports=deps.accounts)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return UserResponse.of(user)


@router.get(
    "/me",
    response_model=UserResponse,
    summary="My account",
    responses=documented(401, 404),
)
async def read_me(me: CurrentUser, deps: Deps) -> UserResponse:
    """The signed-in user's account."""
    return UserResponse.of(await my_profile(me.user_id, ports=deps.accounts))


@router.get(
    "/me/erasure",
    response_model=ErasurePreview,
    summary="What erasing my account would do",
    responses=documented(401, 404),
)
async def preview_erasure(me: CurrentUser, deps: Deps) -> ErasurePreview:
    """Before `DELETE /api/v1/users/me`: each community I own passes to its longest-serving
    moderator, or, with none, is archived with no owner; its members are told either way."""
    found = await erasure_consequences(me.user_id, ports=deps.accounts)
    return ErasurePreview(
        communities=[
            OwnedCommunityOutcome(
                community_id=c.community_id,
                community_name=c.community_name,
                outcome=c.outcome,
                new_owner_id=c.new_owner_id,
            )
            for c in found
        ]
    )


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase my account (GDPR)",
    responses=documented(401, 403, 404, 422, 429),
)
async def erase_me(me: CurrentUser, body: EraseRequest, deps: Deps) -> Response:
    """Delete my account and everything membership holds about me, confirmed by my password.

    Every other service forgets me too when it receives ``cerchia.membership.user_erased.v1``.
    Communities I own are handed over or archived: `GET /api/v1/users/me/erasure` says which.
    """
    await erase_account(
        me.user_id, body.password.get_secret_value(), ports=deps.accounts, now=datetime.now(UTC)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
