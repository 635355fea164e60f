"""The community a page is in, read once per page with the reader's standing."""

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request

from web.entrypoints.forms import refusal
from web.entrypoints.pages import signed_in, status_for


@dataclass(frozen=True)
class Place:
    """The community a page is in, and the reader's standing there."""

    community: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.community["id"])

    @property
    def standing(self) -> dict[str, Any]:
        found = self.community.get("my_standing")
        return found if isinstance(found, dict) else {}

    @property
    def member(self) -> bool:
        return self.standing.get("state") == "member"

    @property
    def moderator(self) -> bool:
        return self.member and self.standing.get("role") in ("owner", "moderator")


async def find_place(request: Request, community_id: str) -> Place:
    """The community, or 404; a signed-out reader is sent to sign in first."""
    visit = signed_in(request)
    found = await visit.api("GET", f"/api/v1/communities/{community_id}")
    if found.status == 404 or (found.ok and not isinstance(found.body, dict)):
        raise HTTPException(404)
    if not found.ok:
        raise HTTPException(status_for(found.status), refusal(found))
    return Place(found.body)
