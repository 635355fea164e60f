"""People: a community's members, searched and filtered by skill and interest; the people worth
meeting (asks matched with offers, shared interests) with the reasons; introductions asked
for, accepted and declined."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from web.domain.api import ApiResponse
from web.domain.introductions import reason_of
from web.entrypoints.forms import refusal, see_other, text
from web.entrypoints.pages import Form, render, signed_in, status_for
from web.entrypoints.pages import gettext as _gettext
from web.entrypoints.places import find_place

router = APIRouter(include_in_schema=False)
Cursor = Annotated[str | None, Query(max_length=400)]
Filter = Annotated[str, Query(max_length=64)]


def _found(response: ApiResponse) -> dict[str, Any]:
    """The object, or the matching error page (404 for unknown or hidden ids)."""
    if response.status in (403, 404):
        raise HTTPException(404)
    if response.status in (400, 422):
        raise HTTPException(400)
    if not response.ok or not isinstance(response.body, dict):
        raise HTTPException(status_for(response.status), refusal(response))
    return response.body


@router.get("/communities/{community_id}/members")
async def members(
    request: Request,
    community_id: str,
    *,
    cursor: Cursor = None,
    q: Filter = "",
    skill: Filter = "",
    interest: Filter = "",
) -> Response:
    """The community's members by name; search by name or handle, filter by skill and interest."""
    place = await find_place(request, community_id)
    visit = signed_in(request)
    filters = {"q": q.strip(), "skill": skill.strip(), "interest": interest.strip()}
    page = _found(
        await visit.api(
            "GET",
            f"/api/v1/communities/{place.id}/directory",
            params={**filters, "cursor": cursor},
        )
    )
    return render(request, "people/members.html", place=place, page=page, filters=filters)


def reason_sentence(request: Request, text: str) -> str:
    """A suggestion's reason in the reader's language (the platform words it in English)."""
    reason = reason_of(text)
    said = reason.values
    if reason.kind == "offer_matches_ask":
        return _gettext(
            request,
            "Offers “%(offer)s”, which matches what you look for: “%(ask)s”.",
            offer=said["offer"],
            ask=said["ask"],
        )
    if reason.kind == "ask_matches_offer":
        return _gettext(
            request,
            "Looks for “%(ask)s”, which you offer (“%(offer)s”).",
            ask=said["ask"],
            offer=said["offer"],
        )
    if reason.kind == "shared_interest":
        return _gettext(request, "Shares your interest in “%(interest)s”.", **said)
    return said["text"]


@router.get("/people")
async def people(request: Request) -> Response:
    """People worth meeting across my communities (with the reasons, in the reader's language),
    and my introductions."""
    visit = signed_in(request)
    suggested = await visit.api("GET", "/api/v1/introductions/suggestions", params={"limit": 20})
    mine = _found(await visit.api("GET", "/api/v1/introductions"))
    suggestions = [
        {**s, "reasons": [reason_sentence(request, str(r)) for r in s.get("reasons") or []]}
        for s in ((suggested.body or {}).get("items") or [] if suggested.ok else [])
        if isinstance(s, dict)
    ]
    return render(
        request,
        "people/people.html",
        suggestions=suggestions,
        introductions=mine.get("items") or [],
    )


def _ask_page(
    request: Request,
    draft: dict[str, str],
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(request, "people/ask.html", status=status, draft=draft, error=error)


@router.get("/introductions/new")
async def ask(
    request: Request,
    to: Annotated[str, Query(min_length=1, max_length=64)],
    community: Annotated[str, Query(min_length=1, max_length=64)],
    name: Annotated[str, Query(max_length=120)] = "",
) -> Response:
    """Ask a fellow member to connect, with a note saying why."""
    signed_in(request)
    return _ask_page(request, {"to": to, "community": community, "name": name, "note": ""})


@router.post("/introductions")
async def request_introduction(request: Request, form: Form) -> Response:
    """Send the request; the other person accepts or declines it."""
    visit = signed_in(request)
    draft = {name: text(form, name) for name in ("to", "community", "name", "note")}
    made = await visit.api(
        "POST",
        "/api/v1/introductions",
        json={
            "recipient_id": draft["to"],
            "community_id": draft["community"],
            "note": draft["note"],
        },
    )
    if made.ok and isinstance(made.body, dict):
        visit.flash(_gettext(request, "Your request is sent."))
        return see_other(f"/introductions/{made.body['id']}")
    return _ask_page(request, draft, error=refusal(made), status=status_for(made.status))


@router.get("/introductions/{introduction_id}")
async def introduction(request: Request, introduction_id: str) -> Response:
    """An introduction someone asked me for, or one I asked for."""
    visit = signed_in(request)
    found = _found(await visit.api("GET", f"/api/v1/introductions/{introduction_id}"))
    return render(request, "people/introduction.html", introduction=found)


@router.post("/introductions/{introduction_id}/{decision}")
async def decide(request: Request, introduction_id: str, decision: str, _: Form) -> Response:
    """Accept (both see each other's contact details) or decline."""
    if decision not in ("accept", "decline"):
        raise HTTPException(404)
    visit = signed_in(request)
    response = await visit.api("POST", f"/api/v1/introductions/{introduction_id}/{decision}")
    visit.flash(
        (
            _gettext(request, "Accepted: you can now reach each other.")
            if decision == "accept"
            else _gettext(request, "Declined: no contact details were shared.")
        )
        if response.ok
        else refusal(response)
    )
    return see_other(f"/introductions/{introduction_id}")
