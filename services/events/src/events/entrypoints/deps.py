"""Route dependencies: the container, the optional caller, and domain errors as problems."""

from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from cerchia_chassis.auth import MaybeCurrentUser
from cerchia_chassis.problems import problem_response
from events.container import Container
from events.domain.errors import (
    DomainError,
    Forbidden,
    InvalidGathering,
    InvalidRecurrence,
    InvalidTimeZone,
    NotFound,
    Unauthenticated,
)

_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Unauthenticated, 401),
    (InvalidGathering, 422),
    (InvalidRecurrence, 422),
    (InvalidTimeZone, 422),
)
_BEARER = {"WWW-Authenticate": 'Bearer realm="cerchia"'}


async def container(request: Request) -> Container:
    """The running service's container."""
    found: Container = request.app.state.container
    return found


async def optional_user(caller: MaybeCurrentUser) -> str | None:
    """The caller's user id if a bearer token is sent (it must then be valid), else None."""
    return None if caller is None else caller.user_id


Deps = Annotated[Container, Depends(container)]
MaybeUser = Annotated[str | None, Depends(optional_user)]
#: ``?tz=``: the zone to show times in; without it, the caller's profile zone, else the event's.
ZoneQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        description=(
            "IANA time zone to render times in (`viewer_time`), e.g. America/New_York. "
            "Default: the caller's profile time zone, else the event's own."
        ),
        examples=["America/New_York"],
    ),
]


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    # Conflicts with the current state (closed RSVPs, cancelled events...) are 409.
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 409)
    headers = _BEARER if status == 401 else None
    return problem_response(request, status, code=exc.code, detail=exc.detail, headers=headers)


def install_domain_errors(app: FastAPI) -> None:
    """Report every domain rule violation as RFC 9457 problem+json."""
    app.add_exception_handler(DomainError, _on_domain_error)
