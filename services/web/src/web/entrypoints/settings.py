"""The owner's settings: the community's description and rules of admission, its invitations
(links for anyone who has them made here, every invitation listed and revoked), and archiving
it."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from web.entrypoints.communities import screening_questions
from web.entrypoints.forms import lines, refusal, see_other, text
from web.entrypoints.pages import Form, render, status_for, visit_of
from web.entrypoints.pages import gettext as _gettext
from web.entrypoints.places import Place, find_place

router = APIRouter(include_in_schema=False)
SETTINGS = "/communities/{community_id}/settings"
#: The fields of the community's form, as the API names them.
FIELDS = ("name", "purpose", "audience", "language", "visibility", "join_policy", "capacity")
#: How long a new invitation link works, in hours, as the form offers it (the API allows 1-720).
LINK_HOURS = (24, 72, 168, 720)


def values_of(community: dict[str, Any]) -> dict[str, str]:
    """The community as its form shows it."""
    values = {name: str(community.get(name) or "") for name in FIELDS}
    values["tags"] = ", ".join(community.get("tags") or [])
    values["screening_questions"] = "\n".join(
        str(q.get("prompt") or "") for q in community.get("screening_questions") or []
    )
    return values


def changed(community: dict[str, Any], values: dict[str, str], tags: list[str]) -> dict[str, Any]:
    """What the form changes (only those fields are sent: a capacity change offers seats, and
    every change is announced)."""
    body: dict[str, Any] = {}
    for name in FIELDS:
        wanted: Any = values[name]
        if name == "capacity":
            wanted = int(wanted) if wanted.isdigit() else wanted
        if wanted != community.get(name):
            body[name] = wanted
    if tags != list(community.get("tags") or []):
        body["tags"] = tags
    prompts = [str(q.get("prompt")) for q in community.get("screening_questions") or []]
    questions = screening_questions(values["screening_questions"])
    if [q["prompt"] for q in questions] != prompts:
        body["screening_questions"] = questions
    return body


async def _settings_page(
    request: Request,
    place: Place,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    new_link: str | None = None,
    link_error: str | None = None,
) -> Response:
    if place.standing.get("role") != "owner":
        raise HTTPException(403, _gettext(request, "Only the community's owner changes this."))
    invitations = await visit_of(request).api(
        "GET", f"/api/v1/communities/{place.id}/invitations", params={"limit": 100}
    )
    return render(
        request,
        "communities/settings.html",
        status=status,
        place=place,
        values=values or values_of(place.community),
        invitations=(invitations.body or {}).get("items") or [] if invitations.ok else [],
        error=error,
        new_link=new_link,
        link_error=link_error,
        link_hours=LINK_HOURS,
    )


@router.get(SETTINGS)
async def settings(request: Request, community_id: str) -> Response:
    """The community's settings (its owner)."""
    place = await find_place(request, community_id)
    return await _settings_page(request, place)


@router.post(SETTINGS)
async def save(request: Request, community_id: str, form: Form) -> Response:
    """Save what changed; a refusal shows the form as typed, with the reason."""
    place = await find_place(request, community_id)
    values = {name: text(form, name) for name in (*FIELDS, "tags", "screening_questions")}
    body = changed(place.community, values, lines(form, "tags"))
    visit = visit_of(request)
    if body:
        done = await visit.api("PATCH", f"/api/v1/communities/{place.id}", json=body)
        if not done.ok:
            return await _settings_page(
                request, place, values=values, error=refusal(done), status=status_for(done.status)
            )
    visit.flash(
        _gettext(request, "The community is updated.")
        if body
        else _gettext(request, "Nothing was changed.")
    )
    return see_other(f"/communities/{place.id}/settings")


def invitation_link(request: Request, token: str) -> str:
    """The address to share: the invitation's page on the client's public address."""
    base: str = request.app.state.container.settings.public_url.rstrip("/")
    return f"{base}/accept-invitation?{urlencode({'token': token})}"


@router.post(SETTINGS + "/invitation-links")
async def make_link(request: Request, community_id: str, form: Form) -> Response:
    """An "anyone with the link" invitation; its address is shown this once (the platform keeps
    only a hash of its secret), so the page answers directly instead of redirecting."""
    place = await find_place(request, community_id)
    if place.standing.get("role") != "owner":
        raise HTTPException(403, _gettext(request, "Only the community's owner changes this."))
    uses, hours = text(form, "max_uses"), text(form, "expires_in_hours")
    made = await visit_of(request).api(
        "POST",
        f"/api/v1/communities/{place.id}/invitation-links",
        json={
            "max_uses": int(uses) if uses.isdigit() else uses,
            "expires_in_hours": int(hours) if hours.isdigit() else None,
        },
    )
    if not made.ok or not isinstance(made.body, dict) or not made.body.get("token"):
        return await _settings_page(
            request, place, link_error=refusal(made), status=status_for(made.status)
        )
    return await _settings_page(
        request, place, new_link=invitation_link(request, str(made.body["token"]))
    )


@router.post(SETTINGS + "/invitations/{invitation_id}/revoke")
async def revoke(request: Request, community_id: str, invitation_id: str, _: Form) -> Response:
    """The invitation's link stops working."""
    visit = visit_of(request)
    done = await visit.api(
        "DELETE", f"/api/v1/communities/{community_id}/invitations/{invitation_id}"
    )
    visit.flash(_gettext(request, "The invitation is revoked.") if done.ok else refusal(done))
    return see_other(f"/communities/{community_id}/settings#invitations")


@router.post(SETTINGS + "/archive")
async def archive(request: Request, community_id: str, form: Form) -> Response:
    """Archive the community (read-only, admits nobody), once the owner confirmed it."""
    place = await find_place(request, community_id)
    visit = visit_of(request)
    if text(form, "confirm") != "yes":
        visit.flash(_gettext(request, "Tick the box to confirm archiving."))
        return see_other(f"/communities/{place.id}/settings#archive")
    done = await visit.api("POST", f"/api/v1/communities/{place.id}/archive")
    if not done.ok:
        visit.flash(refusal(done))
        return see_other(f"/communities/{place.id}/settings#archive")
    visit.flash(_gettext(request, "The community is archived: it is read-only now."))
    return see_other(f"/communities/{place.id}")
