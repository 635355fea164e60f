"""Direct messages: my conversations with their unread markers, a conversation (kept live by the
notification stream), writing to a member, blocking and unblocking."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from web.entrypoints.forms import refusal, see_other, text
from web.entrypoints.pages import Form, render, signed_in, status_for
from web.entrypoints.pages import gettext as _gettext
from web.service.visits import Visit

router = APIRouter(include_in_schema=False)
Cursor = Annotated[str | None, Query(max_length=200)]
#: Conversations read to name the person a conversation is with (the latest ones).
RECENT = 50


@router.get("/messages")
async def conversations(request: Request, cursor: Cursor = None) -> Response:
    """My conversations, latest first, the unread ones marked."""
    visit = signed_in(request)
    found = await visit.api("GET", "/api/v1/conversations", params={"cursor": cursor})
    if found.status in (400, 422):
        raise HTTPException(400)
    if not found.ok or not isinstance(found.body, dict):
        raise HTTPException(status_for(found.status), refusal(found))
    return render(request, "messages/conversations.html", page=found.body)


def _new_page(
    request: Request, to: str, name: str, *, body: str = "", error: str | None = None, status: int
) -> Response:
    return render(
        request, "messages/new.html", status=status, to=to, name=name, body=body, error=error
    )


@router.get("/messages/new")
async def new_message(
    request: Request,
    to: Annotated[str, Query(min_length=1, max_length=64)],
    name: Annotated[str, Query(max_length=120)] = "",
) -> Response:
    """Write to a member (linked from the community's members)."""
    signed_in(request)
    return _new_page(request, to, name, status=200)


@router.post("/messages")
async def start(request: Request, form: Form) -> Response:
    """Send the first message; the conversation opens (or continues, if there was one)."""
    visit = signed_in(request)
    to, body = text(form, "to"), text(form, "body")
    sent = await visit.api("POST", "/api/v1/conversations", json={"recipient_id": to, "body": body})
    if sent.ok and isinstance(sent.body, dict):
        return see_other(f"/messages/{sent.body['conversation_id']}")
    return _new_page(
        request,
        to,
        text(form, "name"),
        body=body,
        error=refusal(sent),
        status=status_for(sent.status),
    )


async def _other(visit: Visit, conversation_id: str) -> dict[str, Any] | None:
    """Whom the conversation is with, from my latest conversations."""
    found = await visit.api("GET", "/api/v1/conversations", params={"limit": RECENT})
    if not found.ok or not isinstance(found.body, dict):
        return None
    for item in found.body.get("items") or []:
        if isinstance(item, dict) and item.get("id") == conversation_id:
            person = item.get("with")
            return person if isinstance(person, dict) else None
    return None


@router.get("/messages/{conversation_id}")
async def conversation(request: Request, conversation_id: str, cursor: Cursor = None) -> Response:
    """A conversation's messages, oldest first, and the reply form; opening it marks it read.
    A new notification (a new message among them) makes htmx read the messages again."""
    visit = signed_in(request)
    path = f"/api/v1/conversations/{conversation_id}/messages"
    page = await visit.api("GET", path, params={"cursor": cursor})
    if page.status in (403, 404):
        raise HTTPException(404)
    if page.status in (400, 422):
        raise HTTPException(400)
    if not page.ok or not isinstance(page.body, dict):
        raise HTTPException(status_for(page.status), refusal(page))
    await visit.api("POST", f"/api/v1/conversations/{conversation_id}/read")
    other = await _other(visit, conversation_id)
    blocked = await visit.api("GET", "/api/v1/conversations/blocks")
    blocking = (
        other is not None and isinstance(blocked.body, list) and other.get("id") in blocked.body
    )
    return render(
        request,
        "messages/conversation.html",
        page=page.body,
        conversation_id=conversation_id,
        other=other,
        blocking=blocking,
        older=bool(cursor),
    )


@router.post("/messages/{conversation_id}")
async def write(request: Request, conversation_id: str, form: Form) -> Response:
    """Send a message in the conversation."""
    visit = signed_in(request)
    response = await visit.api(
        "POST",
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"body": text(form, "body")},
    )
    if not response.ok:
        visit.flash(refusal(response))
    return see_other(f"/messages/{conversation_id}")


@router.post("/messages/{conversation_id}/block")
async def block(request: Request, conversation_id: str, form: Form) -> Response:
    """Block the person (neither can write to the other) or unblock them."""
    visit = signed_in(request)
    person = text(form, "user_id")
    if not person:
        raise HTTPException(400)
    on = text(form, "action") != "unblock"
    done = await visit.api(
        "PUT" if on else "DELETE", f"/api/v1/conversations/blocks/{quote(person, safe='')}"
    )
    if done.ok:
        visit.flash(
            _gettext(request, "Blocked: neither of you can write in this conversation.")
            if on
            else _gettext(request, "Unblocked: you can write to each other again.")
        )
    else:
        visit.flash(refusal(done))
    return see_other(f"/messages/{conversation_id}")
