"""Response pieces shared by several parts of the content API, and its documented problems."""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from cerchia_chassis.problems import problem_responses
from content.service.directory_ports import Person

_DESCRIPTIONS = {
    400: "The cursor is not one this API issued (problem type `invalid-cursor`)",
    401: "Missing or invalid access token",
    403: (
        "Not allowed; the problem `type` says why: not-a-member, banned, removed, "
        "code-of-conduct-not-accepted, archived, not-a-moderator, not-the-author, blocked..."
    ),
    404: "Not found, or not visible to the caller",
    409: "Not possible in the current state (locked, already published, not enrolled...)",
    422: "Invalid input (validation errors, a content rule)",
    429: "Posting too fast; see Retry-After",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the problem statuses a route may answer (problem+json)."""
    return problem_responses(*statuses, descriptions=_DESCRIPTIONS)


class PersonOut(BaseModel):
    """How a member is shown next to what they wrote."""

    id: str
    display_name: str
    handle: str | None = None


def people_out(people: Mapping[str, Person]) -> dict[str, PersonOut]:
    """How each person is shown, by user id."""
    return {
        user_id: PersonOut(id=user_id, display_name=p.display_name, handle=p.handle)
        for user_id, p in people.items()
    }
