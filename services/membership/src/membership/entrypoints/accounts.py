"""Account routes: register, read my account, erase it."""

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import Problem
from membership.domain.errors import EmailAlreadyRegistered, MembershipError
from membership.domain.users import User
from membership.entrypoints.account_problems import documented, problem
from membership.entrypoints.http import Deps
from membership.entrypoints.schemas import EraseRequest, RegisterRequest, UserResponse
from membership.service.privacy import erase_account
from membership.service.profiles import my_profile
from membership.service.registration import Registration, register_user

router = APIRouter(prefix="/api/v1/users", tags=["accounts"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserResponse,
    summary="Register an account",
    responses=documented(409, 422),
)
async def register(body: RegisterRequest, deps: Deps, response: Response) -> UserResponse:
    """Register an account; the welcome email and the verification link follow by email."""
    try:
        user = await register_user(
            Registration(
                email=str(body.email),
                password=body.password.get_secret_value(),
                display_name=body.display_name,
                locale=body.locale,
            ),
            users=deps.users,
            outbox=deps.chassis.outbox,
            transactions=deps.chassis.transactions,
            hasher=deps.hasher,
            participants=(deps.verification,),
        )
    except EmailAlreadyRegistered as exc:
        raise Problem(409, "email-taken", str(exc)) from exc
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return account(user)


@router.get(
    "/me",
    response_model=UserResponse,
    summary="My account",
    responses=documented(401, 404),
)
async def read_me(me: CurrentUser, deps: Deps) -> UserResponse:
    """The signed-in user's account."""
    try:
        return account(await my_profile(me.user_id, accounts=deps.users))
    except MembershipError as exc:
        raise problem(exc) from exc


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase my account (GDPR)",
    responses=documented(401, 403, 404, 422, 429),
)
async def erase_me(me: CurrentUser, body: EraseRequest, deps: Deps) -> Response:
    """Delete my account and everything membership holds about me, confirmed by my password.

    Every other service forgets me too when it receives ``cerchia.membership.user_erased.v1``.
    """
    try:
        await erase_account(
            me.user_id,
            body.password.get_secret_value(),
            accounts=deps.users,
            hasher=deps.hasher,
            throttle=deps.throttle,
            tokens=deps.one_time_tokens,
            sessions=deps.sessions,
            participants=deps.erasure_participants,
            outbox=deps.chassis.outbox,
            transactions=deps.chassis.transactions,
            now=datetime.now(UTC),
        )
    except MembershipError as exc:
        raise problem(exc) from exc
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def account(user: User) -> UserResponse:
    """The account as its owner sees it."""
    return UserResponse(
        id=user.id,
        email=user.email,
        email_verified=user.email_verified,
        display_name=user.display_name,
        locale=user.locale,
        created_at=user.created_at,
    )
