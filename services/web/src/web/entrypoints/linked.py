"""Pages that emails link to beyond discussions, joining, events and messages: an introduction
(accept or decline), a community's members."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from web.domain.api import ApiResponse
from web.entrypoints.forms import refusal, see_other
from web.entrypoints.pages import Form, gettext, render, signed_in

router = APIRouter(include_in_schema=False)
Cursor = Annotated[str | None, Query(max_length=200)]


def _found(response: ApiResponse) -> dict[str, object]:
    """The object, or the matching error page (404 for unknown or hidden ids)."""
    if response.status in (403, 404):
        raise HTTPException(404)
    if not response.ok or not isinstance(response.body, dict):
        raise HTTPException(503 if response.status >= 500 else response.status)
    return response.body


@router.get("/introductions/{introduction_id}")
async def introduction(request: Request, introduction_id: str) -> Response:
    """An introduction someone asked for, or mine."""
    visit = signed_in(request)
    found = _found(await visit.api("GET", f"/api/v1/introductions/{introduction_id}"))
    return render(request, "linked/introduction.html", introduction=found)


@router.post("/introductions/{introduction_id}/{decision}")
async def decide(request: Request, introduction_id: str, decision: str, _: Form) -> Response:
    """Accept or decline."""
    if decision not in ("accept", "decline"):
        raise HTTPException(404)
    visit = signed_in(request)
    response = await visit.api("POST", f"/api/v1/introductions/{introduction_id}/{decision}")
    visit.flash(gettext(request, "Done.") if response.ok else refusal(response))
    return see_other(f"/introductions/{introduction_id}")


@router.get("/communities/{community_id}/members")
async def members(request: Request, community_id: str, cursor: Cursor = None) -> Response:
    """The community's directory."""
    visit = signed_in(request)
    page = _found(
        await visit.api(
            "GET", f"/api/v1/communities/{community_id}/directory", params={"cursor": cursor}
        )
    )
    return render(request, "linked/members.html", page=page, community_id=community_id)
