"""One-click unsubscribe (RFC 8058): POST does it; GET only shows a confirmation form."""

from html import escape
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from cerchia_chassis.problems import problem_responses
from cerchia_chassis.text import Line
from notifications.entrypoints.deps import Deps
from notifications.entrypoints.schemas import UnsubscribedOut
from notifications.service.preferences import unsubscribe

router = APIRouter(prefix="/api/v1/unsubscribe", tags=["unsubscribe"])

Token = Annotated[Line, Query(min_length=10, max_length=500)]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cerchia</title></head>
<body style="font-family: sans-serif">
<form method="post" action="/api/v1/unsubscribe?token={token}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<p>Stop these emails? / Non ricevere più queste email?</p>
<button type="submit">Unsubscribe / Annulla iscrizione</button>
</form></body></html>"""


@router.get(
    "",
    response_class=HTMLResponse,
    summary="Confirmation page for unsubscribing",
    responses=problem_responses(422),
)
async def confirm(token: Token) -> HTMLResponse:
    """Changes nothing: link scanners open GET links, so only the POST unsubscribes."""
    return HTMLResponse(_PAGE.format(token=escape(token, quote=True)))


@router.post(
    "",
    response_model=UnsubscribedOut,
    summary="One-click unsubscribe (RFC 8058)",
    responses=problem_responses(400, 422, descriptions={400: "The link is not valid"}),
)
async def one_click(token: Token, deps: Deps) -> UnsubscribedOut:
    """Mail clients POST `List-Unsubscribe=One-Click` here, without credentials: the signed
    token alone names the person and what to turn off."""
    _, scope = await unsubscribe(token, ports=deps.ports)
    return UnsubscribedOut(scope=scope)
