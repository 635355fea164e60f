"""The front page: my communities when signed in, an invitation to discover otherwise."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.service.visits import Visit

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request) -> Response:
    """Home."""
    visit: Visit = request.state.visit
    mine: list[object] = []
    if visit.signed_in:
        found = await visit.api("GET", "/api/v1/me/communities")
        if found.ok and isinstance(found.body, dict):
            mine = list(found.body.get("items") or [])
    response: Response = request.app.state.container.pages.render(
        request, "home.html", {"communities": mine}
    )
    return response
