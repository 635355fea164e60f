"""Community rule refusals as problem+json, and the dependencies the community routes share."""

import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from cerchia_chassis.problems import Problem, problem_response, problem_responses
from membership.domain.refusals import Conflict, Forbidden, Invalid, NotFound, Refusal
from membership.service.community_ports import CommunityPorts

_STATUS: dict[type[Refusal], int] = {NotFound: 404, Forbidden: 403, Conflict: 409, Invalid: 422}


async def _on_refusal(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    status = next((s for kind, s in _STATUS.items() if isinstance(exc, kind)), 400)
    return problem_response(request, status, code=exc.code, detail=exc.detail)


def install_refusal_handler(app: FastAPI) -> None:
    """Map every community refusal to its 4xx problem."""
    app.add_exception_handler(Refusal, _on_refusal)


async def _ports(request: Request) -> CommunityPorts:
    ports: CommunityPorts = request.app.state.container.community
    return ports


#: Route parameter: the community use cases' ports.
Ports = Annotated[CommunityPorts, Depends(_ports)]

_DESCRIPTIONS = {
    400: "The cursor is not one this API issued",
    401: "Missing or invalid access token",
    403: "Your role does not allow this",
    404: "Not found, or not visible to you",
    409: "Conflicts with the current state",
    422: "Invalid request, or a rule about its content is broken",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` (problem+json) for the 4xx statuses a community route answers.

    401 and 422 are always listed: every route needs an access token, and FastAPI would
    otherwise document its own 422 body, which is not the problem+json the service sends.
    """
    return problem_responses(*sorted({401, 422, *statuses}), descriptions=_DESCRIPTIONS)


#: Responses of a read the caller may not be allowed to see.
READ = problems(404)
#: Responses of a change the caller's role or the current state may refuse.
CHANGE = problems(403, 404, 409)


def encode_cursor(value: Any) -> str:
    """An opaque cursor for the next page."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    """The value inside a cursor this API issued; 400 for anything else."""
    if cursor is None:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise Problem(400, "invalid-cursor", "The cursor is not one this API issued.") from exc


def text_cursor(cursor: str | None) -> str | None:
    """A cursor that must hold a string."""
    value = decode_cursor(cursor)
    if value is not None and not isinstance(value, str):
        raise Problem(400, "invalid-cursor", "The cursor is not one this API issued.")
    return value
