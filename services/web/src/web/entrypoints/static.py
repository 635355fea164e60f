"""Content-hashed assets (cached for a year) and the service worker (at the root: its scope)."""

from fastapi import APIRouter, HTTPException, Request, Response

from web.container import PACKAGE

router = APIRouter()
_IMMUTABLE = "public, max-age=31536000, immutable"


@router.get("/static/{name}", include_in_schema=False)
async def asset(name: str, request: Request) -> Response:
    """One hashed asset."""
    found = request.app.state.assets.by_name(name)
    if found is None:
        raise HTTPException(404)
    return Response(found.body, media_type=found.media_type, headers={"Cache-Control": _IMMUTABLE})


@router.get("/sw.js", include_in_schema=False)
async def service_worker() -> Response:
    """The push service worker; revalidated on every visit so a new version takes over."""
    body = (PACKAGE / "static" / "sw.js").read_bytes()
    return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
