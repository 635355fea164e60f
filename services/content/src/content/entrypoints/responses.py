"""Response pieces shared by several parts of the content API."""

from typing import Any

from pydantic import BaseModel, Field


class PersonOut(BaseModel):
    """How a member is shown next to what they wrote."""

    id: str
    display_name: str
    handle: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem (application/problem+json)."""

    type: str = Field(examples=["https://cerchia.dev/problems/code-of-conduct-not-accepted"])
    title: str = Field(examples=["Forbidden"])
    status: int = Field(examples=[403])
    detail: str = Field(examples=["Accept the code of conduct (version 2) before posting."])
    instance: str = Field(examples=["/api/v1/communities/c-1/threads"])


PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing or invalid access token"},
    403: {"model": Problem, "description": "Not allowed: the `type` says why"},
    404: {"model": Problem, "description": "Not found, or not visible to the caller"},
    409: {"model": Problem, "description": "Not possible in the current state"},
    422: {"model": Problem, "description": "Invalid input"},
    429: {"model": Problem, "description": "Posting too fast; see Retry-After"},
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented problem responses for these statuses."""
    return {status: PROBLEMS[status] for status in statuses}
