"""The app's shell: content-hashed assets (cached for a year), the service worker (at the root:
its scope), the web app manifest that makes the client installable, and the offline page."""

import json

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from web.container import PACKAGE
from web.domain.locales import negotiate

router = APIRouter()
_IMMUTABLE = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"
THEME = "#1a73e8"
#: What the service worker keeps for when the network is gone: the offline page and its assets.
OFFLINE_ASSETS = ("pico.css", "app.css", "icon.svg")


@router.get("/static/{name}", include_in_schema=False)
async def asset(name: str, request: Request) -> Response:
    """One hashed asset."""
    found = request.app.state.assets.by_name(name)
    if found is None:
        raise HTTPException(404)
    return Response(found.body, media_type=found.media_type, headers={"Cache-Control": _IMMUTABLE})


@router.get("/sw.js", include_in_schema=False)
async def service_worker(request: Request) -> Response:
    """The service worker (push, and the offline page); revalidated on every visit, and its
    bytes change with the offline assets' names, so a new version takes over."""
    urls = ["/offline", *(request.app.state.assets.url(name) for name in OFFLINE_ASSETS)]
    body = (PACKAGE / "static" / "sw.js").read_text(encoding="utf-8")
    body = body.replace("OFFLINE_URLS = []", f"OFFLINE_URLS = {json.dumps(urls)}", 1)
    return Response(body, media_type="text/javascript", headers={"Cache-Control": _REVALIDATE})


@router.get("/manifest.webmanifest", include_in_schema=False)
async def manifest(request: Request) -> Response:
    """What a browser needs to install the client as an app."""
    url = request.app.state.assets.url
    body = {
        "name": "Cerchia",
        "short_name": "Cerchia",
        "description": "Small circles, real conversations.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": [
            {"src": url("icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": url("icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url("icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": url("icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return Response(
        json.dumps(body),
        media_type="application/manifest+json",
        headers={"Cache-Control": _REVALIDATE},
    )


@router.get("/offline", include_in_schema=False)
async def offline(request: Request) -> Response:
    """What the app shows when there is no network (kept by the service worker): anonymous, so
    that what is kept holds nobody's name or token."""
    pages = request.app.state.container.pages
    language = negotiate(None, request.headers.get("accept-language"))
    pages.use_language(language)
    html = pages.env.get_template("offline.html").render(lang=language)
    return HTMLResponse(html, headers={"Cache-Control": _REVALIDATE})
