"""Profile routes: my profile, and other members' profiles as their visibility allows."""

from fastapi import APIRouter, Path

from cerchia_chassis.auth import CurrentUser
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import documented
from membership.entrypoints.schemas_profiles import (
    MyProfileResponse,
    ProfileResponse,
    ProfileUpdate,
)
from membership.service.profiles import my_profile, update_profile, view_profile

router = APIRouter(prefix="/api/v1/profiles", tags=["profiles"])


@router.get(
    "/me", response_model=MyProfileResponse, summary="My profile", responses=documented(401, 404)
)
async def read_my_profile(me: CurrentUser, deps: Deps) -> MyProfileResponse:
    """My whole profile, with who may see it."""
    return MyProfileResponse.of(await my_profile(me.user_id, ports=deps.accounts))


@router.patch(
    "/me",
    response_model=MyProfileResponse,
    summary="Edit my profile",
    responses=documented(401, 404, 409, 422),
)
async def edit_my_profile(me: CurrentUser, body: ProfileUpdate, deps: Deps) -> MyProfileResponse:
    """Change the fields sent (``null`` clears handle, headline, bio or city).

    A handle is unique across the platform (409 if taken). Each change is announced as
    ``cerchia.membership.profile_updated.v1``.
    """
    user = await update_profile(me.user_id, body.changes(), ports=deps.accounts)
    return MyProfileResponse.of(user)


@router.get(
    "/{user_id}",
    response_model=ProfileResponse,
    summary="A member's profile",
    responses=documented(401, 403, 404, 422),
)
async def read_profile(
    me: CurrentUser,
    deps: Deps,
    user_id: str = Path(max_length=64, description="The member's user id."),
) -> ProfileResponse:
    """A profile, if its owner shares it with the platform or a community with me (else 403)."""
    user = await view_profile(me.user_id, user_id, ports=deps.accounts)
    return ProfileResponse.of(user)
