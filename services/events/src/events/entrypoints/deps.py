"""Route dependencies: the container, the optional caller, and domain errors as problems."""

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from cerchia_chassis.auth import InvalidToken, TokenVerifier
from cerchia_chassis.problems import Problem, problem_response
from events.container import Container
from events.domain.errors import (
    DomainError,
    Forbidden,
    InvalidGathering,
    InvalidRecurrence,
    NotFound,
    Unauthenticated,
)

_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Unauthenticated, 401),
    (InvalidGathering, 422),
    (InvalidRecurrence, 422),
)
_BEARER = {"WWW-Authenticate": 'Bearer realm="cerchia"'}


def container(request: Request) -> Container:
    """The running service's container."""
    found: Container = request.app.state.container
    return found


async def optional_user(request: Request) -> str | None:
    """The caller's user id if a bearer token is sent (it must then be valid), else None."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise Problem(503, "auth-unavailable", "Authentication is not configured.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "unauthenticated", "Use a bearer access token.", headers=_BEARER)
    try:
        return (await verifier.verify(token.strip())).user_id
    except InvalidToken as exc:
        raise Problem(
            401, "invalid-token", f"The access token is not valid: {exc}.", headers=_BEARER
        ) from exc


Deps = Annotated[Container, Depends(container)]
MaybeUser = Annotated[str | None, Depends(optional_user)]


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    # Conflicts with the current state (closed RSVPs, cancelled events...) are 409.
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 409)
    headers = _BEARER if status == 401 else None
    return problem_response(request, status, code=exc.code, detail=exc.detail, headers=headers)


def install_domain_errors(app: FastAPI) -> None:
    """Report every domain rule violation as RFC 9457 problem+json."""
    app.add_exception_handler(DomainError, _on_domain_error)
