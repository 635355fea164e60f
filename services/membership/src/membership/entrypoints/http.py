"""HTTP routes of the membership service: translate, call one use case, map errors."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from cerchia_chassis.problems import Problem
from membership.container import Container
from membership.domain.errors import EmailAlreadyRegistered
from membership.entrypoints.schemas import RegisterRequest, UserResponse
from membership.service.registration import Registration, register_user

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def container(request: Request) -> Container:
    """The running service's container."""
    found: Container = request.app.state.container
    return found


Deps = Annotated[Container, Depends(container)]


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserResponse,
    responses={409: {"description": "Email already registered"}, 422: {"description": "Invalid"}},
)
async def register(body: RegisterRequest, deps: Deps, response: Response) -> UserResponse:
    """Register an account; the welcome email follows through notifications."""
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
        )
    except EmailAlreadyRegistered as exc:
        raise Problem(409, "email-taken", str(exc)) from exc
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return UserResponse(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        locale=user.locale,
        created_at=user.created_at,
    )
