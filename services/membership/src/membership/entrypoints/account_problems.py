"""How account errors become problem+json responses, and how the OpenAPI document lists them."""

import math
from typing import Any

from cerchia_chassis.problems import Problem, problem_responses
from membership.domain.account_errors import (
    EmailAlreadyVerified,
    HandleTaken,
    InvalidCredentials,
    InvalidOneTimeToken,
    InvalidProfile,
    InvalidRefreshToken,
    ProfileRestricted,
    RefreshTokenReused,
    Throttled,
    UserNotFound,
    WrongPassword,
)
from membership.domain.errors import MembershipError

_DESCRIPTIONS = {
    400: "The emailed link is not valid (unknown, used or expired)",
    401: "Not authenticated, or the credentials are wrong",
    403: "Not allowed (wrong current password, or a restricted profile)",
    404: "No such user",
    409: "Conflicts with the current state",
    422: "The request is not valid",
    429: "Too many attempts; see Retry-After",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the problem statuses a route may answer."""
    return problem_responses(*statuses, descriptions=_DESCRIPTIONS)


def problem(exc: MembershipError) -> Problem:  # noqa: PLR0911 - one case per error
    """The problem response for an account error."""
    match exc:
        case Throttled(retry_after=wait):
            seconds = max(1, math.ceil(wait.total_seconds()))
            return Problem(
                429, "too-many-attempts", str(exc),
                headers={"Retry-After": str(seconds)}, retry_after=seconds,
            )  # fmt: skip
        case RefreshTokenReused():
            return Problem(401, "refresh-token-reused", str(exc))
        case InvalidRefreshToken():
            return Problem(401, "invalid-refresh-token", str(exc))
        case InvalidCredentials():
            return Problem(401, "invalid-credentials", str(exc))
        case WrongPassword():
            return Problem(403, "wrong-password", str(exc))
        case ProfileRestricted():
            return Problem(403, "profile-restricted", str(exc))
        case UserNotFound():
            return Problem(404, "user-not-found", str(exc))
        case HandleTaken():
            return Problem(409, "handle-taken", str(exc))
        case EmailAlreadyVerified():
            return Problem(409, "email-already-verified", str(exc))
        case InvalidOneTimeToken():
            return Problem(400, "invalid-link-token", str(exc))
        case InvalidProfile(errors=errors):
            return Problem(
                422, "invalid-profile", str(exc),
                errors=[{"loc": ["body", field], "msg": msg, "type": "value_error"}
                        for field, msg in errors.items()],
            )  # fmt: skip
    raise exc
