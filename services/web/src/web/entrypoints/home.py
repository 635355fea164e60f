"""The front page: my communities and my next events when signed in, an invitation to discover
otherwise."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.service.visits import Visit

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request) -> Response:
    """Home."""
    visit: Visit = request.state.visit
    mine: list[object] = []
    upcoming: list[object] = []
    if visit.signed_in:
        # The gateway's view: communities and upcoming events in one read (each may be missing).
        found = await visit.api("GET", "/api/v1/me")
        if found.ok and isinstance(found.body, dict):
            mine = list(found.body.get("communities") or [])
            upcoming = list(found.body.get("upcoming_events") or [])
    response: Response = request.app.state.container.pages.render(
        request, "home.html", {"communities": mine, "upcoming": upcoming}
    )
    return response
