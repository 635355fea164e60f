"""API documents and their pages, every script and style served by the gateway itself."""

import html
from pathlib import Path
from typing import Any

import fastapi_offline
from asyncapi_viewer import assets as viewer
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from cerchia_chassis.problems import Problem
from gateway.entrypoints.deps import Deps

SWAGGER_STATIC = "/docs/static/swagger"
VIEWER_STATIC = "/docs/static/asyncapi"
OWN_STATIC = "/docs/static/gateway"

router = APIRouter(include_in_schema=False)

_SWAGGER_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cerchia API</title>
<link rel="icon" type="image/png" href="{SWAGGER_STATIC}/favicon.png">
<link rel="stylesheet" href="{SWAGGER_STATIC}/swagger-ui.css">
</head>
<body>
<p><a href="/docs/asyncapi">Events for integrators (AsyncAPI)</a></p>
<div id="swagger-ui"></div>
<script src="{SWAGGER_STATIC}/swagger-ui-bundle.js"></script>
<script src="{OWN_STATIC}/swagger-init.js"></script>
</body>
</html>
"""


def _summary(document: dict[str, Any]) -> str:
    # What the page says without JavaScript: every channel and its event types.
    items = []
    for channel in document["channels"].values():
        names = ", ".join(
            html.escape(document["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]["name"])
            for ref in channel["messages"].values()
        )
        items.append(
            f"<li><code>{html.escape(channel['address'])}</code>: "
            f"{html.escape(channel['description'].splitlines()[0])} ({names})</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def asyncapi_page(document: dict[str, Any]) -> str:
    """The AsyncAPI viewer (a web component shipped in a Python wheel) on the document."""
    loader = viewer.viewer_loader_html(
        js_url=f"{VIEWER_STATIC}/{viewer.VIEWER_MODULE}",
        theme_url=f"{VIEWER_STATIC}/{viewer.VIEWER_THEME}",
        js_integrity=viewer.integrity(viewer.VIEWER_MODULE),
        theme_integrity=viewer.integrity(viewer.VIEWER_THEME),
    )
    title = html.escape(document["info"]["title"])
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} (AsyncAPI)</title>
{loader}
</head>
<body>
<p><a href="/docs">HTTP API (OpenAPI)</a> · <a href="/asyncapi.json">asyncapi.json</a></p>
<asyncapi-viewer src="/asyncapi.json" sidebar></asyncapi-viewer>
<noscript><h1>{title}</h1>{_summary(document)}</noscript>
</body>
</html>
"""


@router.get("/openapi.json")
async def openapi(deps: Deps) -> JSONResponse:
    """The merged OpenAPI document of the public API."""
    return JSONResponse(await deps.openapi.document())


@router.get("/asyncapi.json")
async def asyncapi(deps: Deps) -> JSONResponse:
    """The AsyncAPI 3.0 document of the public topics."""
    return JSONResponse(deps.asyncapi)


@router.get("/schemas/events/{name}")
async def event_schema(name: str, deps: Deps) -> JSONResponse:
    """The JSON Schema of one event type (``<type>.json``): what webhooks and topics carry."""
    schema = deps.event_schemas.get(name.removesuffix(".json")) if name.endswith(".json") else None
    if schema is None:
        raise Problem(404, "not-found", "No such event type.")
    return JSONResponse(schema)


@router.get("/docs")
async def swagger() -> HTMLResponse:
    """Interactive API documentation."""
    return HTMLResponse(_SWAGGER_PAGE)


@router.get("/docs/asyncapi")
async def asyncapi_docs(deps: Deps) -> HTMLResponse:
    """The event documentation for integrators."""
    return HTMLResponse(asyncapi_page(deps.asyncapi))


@router.get("/")
async def root() -> RedirectResponse:
    """The documentation is the gateway's home page."""
    return RedirectResponse("/docs")


def mount_static(app: FastAPI) -> None:
    """Serve the pages' scripts and styles from the installed packages."""
    app.mount(
        SWAGGER_STATIC,
        StaticFiles(directory=Path(fastapi_offline.__file__).with_name("static")),
        name="swagger-static",
    )
    app.mount(VIEWER_STATIC, StaticFiles(directory=viewer.STATIC_DIR), name="asyncapi-static")
    app.mount(
        OWN_STATIC,
        StaticFiles(directory=Path(__file__).parent.parent / "static"),
        name="gateway-static",
    )
