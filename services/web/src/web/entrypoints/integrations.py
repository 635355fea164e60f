"""The owner's integrations: webhooks registered (the secret shown once), their delivery log
with replay, enabling a disabled one, rotating the secret, removing one."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from web.entrypoints.forms import refusal, see_other, text
from web.entrypoints.pages import Form, render, status_for, visit_of
from web.entrypoints.pages import gettext as _gettext
from web.entrypoints.places import Place, find_place

router = APIRouter(include_in_schema=False)
WEBHOOKS = "/communities/{community_id}/settings/webhooks"
WEBHOOK = WEBHOOKS + "/{webhook_id}"
Status = Annotated[str, Query(max_length=20)]
Cursor = Annotated[str, Query(max_length=200)]


def _owner_only(request: Request, place: Place) -> None:
    if place.standing.get("role") != "owner":
        raise HTTPException(403, _gettext(request, "Only the community's owner changes this."))


async def _webhooks_page(
    request: Request,
    place: Place,
    *,
    draft: dict[str, str] | None = None,
    secret: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    _owner_only(request, place)
    found = await visit_of(request).api(
        "GET", "/api/v1/webhooks", params={"community_id": place.id}
    )
    if not found.ok or not isinstance(found.body, dict):
        raise HTTPException(status_for(found.status), refusal(found))
    return render(
        request,
        "communities/webhooks.html",
        status=status,
        place=place,
        webhooks=found.body.get("items") or [],
        draft=draft or {},
        secret=secret,
        error=error,
    )


@router.get(WEBHOOKS)
async def webhooks(request: Request, community_id: str) -> Response:
    """The community's webhooks, and the form to add one."""
    place = await find_place(request, community_id)
    return await _webhooks_page(request, place)


@router.post(WEBHOOKS)
async def register(request: Request, community_id: str, form: Form) -> Response:
    """Register an endpoint; its signing secret is shown on this answer only."""
    place = await find_place(request, community_id)
    _owner_only(request, place)
    draft = {"url": text(form, "url"), "event_types": text(form, "event_types")}
    types = [t.strip() for t in draft["event_types"].replace(",", "\n").splitlines() if t.strip()]
    made = await visit_of(request).api(
        "POST",
        "/api/v1/webhooks",
        json={"community_id": place.id, "url": draft["url"], "event_types": types},
    )
    if not made.ok or not isinstance(made.body, dict):
        return await _webhooks_page(
            request, place, draft=draft, error=refusal(made), status=status_for(made.status)
        )
    return await _webhooks_page(request, place, secret=made.body)


async def _webhook(request: Request, place: Place, webhook_id: str) -> dict[str, Any]:
    found = await visit_of(request).api(
        "GET", "/api/v1/webhooks", params={"community_id": place.id}
    )
    items = found.body.get("items") if found.ok and isinstance(found.body, dict) else None
    for item in items or []:
        if isinstance(item, dict) and item.get("id") == webhook_id:
            return item
    raise HTTPException(404)


@router.get(WEBHOOK)
async def deliveries(
    request: Request, community_id: str, webhook_id: str, status: Status = "", cursor: Cursor = ""
) -> Response:
    """What was sent to the endpoint, newest first, and why what failed did not arrive."""
    place = await find_place(request, community_id)
    _owner_only(request, place)
    hook = await _webhook(request, place, webhook_id)
    found = await visit_of(request).api(
        "GET",
        f"/api/v1/webhooks/{webhook_id}/deliveries",
        params={"status": status or None, "cursor": cursor or None},
    )
    if found.status in (400, 422):
        raise HTTPException(400)
    if not found.ok or not isinstance(found.body, dict):
        raise HTTPException(status_for(found.status), refusal(found))
    return render(
        request,
        "communities/webhook.html",
        place=place,
        hook=hook,
        page=found.body,
        only=status,
        secret=None,
    )


@router.post(WEBHOOK + "/{action}")
async def act(
    request: Request, community_id: str, webhook_id: str, action: str, form: Form
) -> Response:
    """Replay an event, enable, rotate the secret (shown once) or remove the webhook."""
    place = await find_place(request, community_id)
    _owner_only(request, place)
    visit = visit_of(request)
    here = f"/communities/{place.id}/settings/webhooks/{webhook_id}"
    api = f"/api/v1/webhooks/{webhook_id}"
    if action == "replay":
        done = await visit.api(
            "POST", f"{api}/replay", json={"event_ids": [text(form, "event_id")]}
        )
        visit.flash(_gettext(request, "Sent again.") if done.ok else refusal(done))
    elif action == "enable":
        done = await visit.api("POST", f"{api}/enable")
        visit.flash(_gettext(request, "The webhook is enabled.") if done.ok else refusal(done))
    elif action == "rotate":
        done = await visit.api("POST", f"{api}/rotate-secret")
        if done.ok and isinstance(done.body, dict):
            hook = await _webhook(request, place, webhook_id)
            return render(
                request,
                "communities/webhook.html",
                place=place,
                hook=hook,
                page={"items": [], "next_cursor": None},
                only="",
                secret=done.body.get("secret"),
            )
        visit.flash(refusal(done))
    elif action == "remove":
        done = await visit.api("DELETE", api)
        visit.flash(_gettext(request, "The webhook is removed.") if done.ok else refusal(done))
        return see_other(f"/communities/{place.id}/settings/webhooks")
    else:
        raise HTTPException(404)
    return see_other(here)
