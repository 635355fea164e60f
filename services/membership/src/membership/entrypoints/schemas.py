"""What every part of the membership API shares: the problems its routes answer — how OpenAPI
lists them, and the members two refusals add to the chassis's problem body."""

from typing import Any

from cerchia_chassis.problems import problem_responses

_ACCOUNT_DESCRIPTIONS = {
    400: "The emailed link is not valid (unknown, used or expired)",
    401: "Not authenticated, or the credentials are wrong",
    403: "Not allowed (wrong current password, or a restricted profile)",
    404: "No such user",
    409: "Conflicts with the current state",
    422: "The request is not valid",
    429: "Too many attempts; see Retry-After",
}
_COMMUNITY_DESCRIPTIONS = {
    400: "The cursor is not one this API issued",
    401: "Missing or invalid access token",
    403: "Your role does not allow this",
    404: "Not found, or not visible to you",
    409: "Conflicts with the current state",
    422: "Invalid request, or a rule about its content is broken",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the problem statuses an account route may answer."""
    return problem_responses(*statuses, descriptions=_ACCOUNT_DESCRIPTIONS)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` (problem+json) for the 4xx statuses a community route answers.

    401 and 422 are always listed: every route needs an access token, and FastAPI would
    otherwise document its own 422 body, which is not the problem+json the service sends.
    """
    return problem_responses(*sorted({401, 422, *statuses}), descriptions=_COMMUNITY_DESCRIPTIONS)


#: Responses of a read the caller may not be allowed to see.
READ = problems(404)
#: Responses of a change the caller's role or the current state may refuse.
CHANGE = problems(403, 404, 409)
