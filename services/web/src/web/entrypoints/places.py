"""The community a page is in, read once per page with the reader's standing."""

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request

from web.entrypoints.forms import refusal
from web.entrypoints.pages import signed_in, status_for
from web.service.visits import Visit

#: Directory pages read for members' names (up to 500 members).
NAME_PAGES = 5


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


async def member_names(visit: Visit, community_id: str) -> dict[str, str]:
    """Members' names by id, from the directory (a community's seats fit in a few pages)."""
    names: dict[str, str] = {}
    cursor = None
    for _ in range(NAME_PAGES):
        found = await visit.api(
            "GET",
            f"/api/v1/communities/{community_id}/directory",
            params={"limit": 100, "cursor": cursor},
        )
        if not found.ok or not isinstance(found.body, dict):
            break
        for m in found.body.get("items") or []:
            if isinstance(m, dict) and m.get("user_id"):
                names[str(m["user_id"])] = str(m.get("display_name") or "")
        cursor = found.body.get("next_cursor")
        if not cursor:
            break
    return names
