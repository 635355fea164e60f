"""Communities: discover, found, a community's page, and joining it — open join, applications
with screening questions, invitations, the waitlist and seat offers, the code of conduct."""

import re
import secrets
import unicodedata
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from web.domain.api import ApiResponse
from web.entrypoints.forms import lines, refusal, see_other, text
from web.entrypoints.pages import Form, login_required, status_for
from web.entrypoints.pages import gettext as _gettext
from web.entrypoints.pages import render as _render
from web.entrypoints.pages import visit_of as _visit
from web.service.visits import Visit

router = APIRouter(include_in_schema=False)
API = "/api/v1/communities"
PAGE_SIZE = 20
#: A form field answering a screening question is named after the question's id.
ANSWER_PREFIX = "answer-"


def _body(response: ApiResponse) -> dict[str, Any]:
    """The answer's object; a missing community is the 404 page, any other failure an error page
    (outsiders learn nothing about private communities)."""
    if response.status == 404:
        raise HTTPException(404)
    if response.status == 403:
        raise HTTPException(403)
    if not response.ok or not isinstance(response.body, dict):
        raise HTTPException(status_for(response.status))
    return response.body


def _accepted_code(form: FormData) -> bool:
    return text(form, "accept_code") == "yes"


def _code_version(form: FormData) -> int:
    raw = text(form, "code_of_conduct_version")
    return int(raw) if raw.isdigit() else 0


def _slug(name: str) -> str:
    """A web address from the name: ascii letters, digits and dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug if len(slug) >= 3 else f"community-{secrets.token_hex(3)}"


# Discover and found ------------------------------------------------------------------------------


@router.get("/communities")
async def discover(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Public communities, searchable, a page at a time (works signed out)."""
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if q.strip():
        params["q"] = q.strip()
    if cursor:
        params["cursor"] = cursor
    found = await _visit(request).api("GET", API, params=params)
    if not found.ok or not isinstance(found.body, dict):
        return _render(
            request,
            "communities/discover.html",
            status=status_for(found.status),
            communities=[],
            q=q,
            next_page=None,
            error=refusal(found),
        )
    next_cursor = found.body.get("next_cursor")
    next_page = None
    if next_cursor:
        query = {"q": q.strip(), "cursor": next_cursor} if q.strip() else {"cursor": next_cursor}
        next_page = f"/communities?{urlencode(query)}"
    return _render(
        request,
        "communities/discover.html",
        communities=found.body.get("items") or [],
        q=q,
        next_page=next_page,
        first_page=f"/communities?{urlencode({'q': q.strip()})}" if cursor else None,
    )


@router.get("/communities/new")
async def new_page(request: Request) -> Response:
    """The form to found a community."""
    if (redirect := login_required(request)) is not None:
        return redirect
    return _render(request, "communities/new.html", values={})


def screening_questions(raw: str) -> list[dict[str, Any]]:
    """Screening questions, one per line; every one needs an answer."""
    prompts = [line.strip() for line in raw.splitlines() if line.strip()]
    return [{"id": f"q{n}", "prompt": p, "required": True} for n, p in enumerate(prompts, 1)]


@router.post("/communities/new")
async def found(request: Request, form: Form) -> Response:
    """Found the community; its page follows."""
    if (redirect := login_required(request)) is not None:
        return redirect
    values = {
        name: text(form, name)
        for name in (
            "name",
            "purpose",
            "audience",
            "language",
            "visibility",
            "join_policy",
            "capacity",
            "code_of_conduct",
            "screening_questions",
            "tags",
        )
    }
    capacity = values["capacity"]
    body: dict[str, Any] = {
        "name": values["name"],
        "slug": _slug(values["name"]),
        "purpose": values["purpose"],
        "audience": values["audience"],
        "language": values["language"] or "it",
        "visibility": values["visibility"] or "public",
        "join_policy": values["join_policy"] or "open",
        "code_of_conduct": values["code_of_conduct"],
        "screening_questions": screening_questions(str(form.get("screening_questions") or "")),
        "tags": lines(form, "tags"),
    }
    if capacity:
        body["capacity"] = int(capacity) if capacity.isdigit() else capacity
    visit = _visit(request)
    created = await visit.api("POST", API, json=body)
    if created.status == 409:
        # Most likely the web address is taken: the name stays, the address gets a suffix.
        body["slug"] = f"{body['slug'][:43]}-{secrets.token_hex(3)}"
        created = await visit.api("POST", API, json=body)
    if not created.ok or not isinstance(created.body, dict):
        return _render(
            request,
            "communities/new.html",
            status=status_for(created.status),
            values=values,
            error=refusal(created),
        )
    visit.flash(_gettext(request, "Your community is ready."))
    return see_other(f"/communities/{created.body['id']}")


# A community's page --------------------------------------------------------------------------


@router.get("/communities/{community_id}")
async def community_page(request: Request, community_id: str) -> Response:
    """Purpose, audience, code of conduct, seats; my standing and what I can do."""
    visit = _visit(request)
    community = _body(await visit.api("GET", f"{API}/{community_id}"))
    standing = community.get("my_standing") or {}
    offer: dict[str, Any] | None = None
    if standing.get("state") == "offered":
        held = await visit.api("GET", f"{API}/{community['id']}/seat-offer")
        offer = held.body if held.ok and isinstance(held.body, dict) else None
    return _render(
        request,
        "communities/community.html",
        community=community,
        standing=standing,
        offer=offer,
        here=quote(request.url.path, safe=""),
    )


async def _after(
    request: Request, community_id: str, response: ApiResponse, success: str
) -> Response:
    """Back to the community's page, saying what happened or why it did not."""
    _visit(request).flash(success if response.ok else refusal(response))
    return see_other(f"/communities/{community_id}")


@router.post("/communities/{community_id}/join")
async def join(request: Request, community_id: str, form: Form) -> Response:
    """Join an open community, or take a place in line when it is full."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = _visit(request)
    if not _accepted_code(form):
        visit.flash(_gettext(request, "Please accept the code of conduct to join."))
        return see_other(f"/communities/{community_id}")
    joined = await visit.api(
        "POST",
        f"{API}/{community_id}/join",
        json={"code_of_conduct_version": _code_version(form)},
    )
    message = _gettext(request, "Welcome! You are a member.")
    if joined.ok and isinstance(joined.body, dict) and joined.body.get("state") == "waitlisted":
        message = _gettext(
            request,
            "The community is full: you are number %(position)s on the waitlist.",
            position=joined.body.get("waitlist_position"),
        )
    return await _after(request, community_id, joined, message)


@router.post("/communities/{community_id}/apply")
async def apply(request: Request, community_id: str, form: Form) -> Response:
    """Apply, answering the screening questions; the moderators decide."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = _visit(request)
    if not _accepted_code(form):
        visit.flash(_gettext(request, "Please accept the code of conduct to apply."))
        return see_other(f"/communities/{community_id}")
    answers = {
        key.removeprefix(ANSWER_PREFIX): value.strip()
        for key, value in form.multi_items()
        if key.startswith(ANSWER_PREFIX) and isinstance(value, str) and value.strip()
    }
    applied = await visit.api(
        "POST",
        f"{API}/{community_id}/applications",
        json={"answers": answers, "code_of_conduct_version": _code_version(form)},
    )
    return await _after(
        request,
        community_id,
        applied,
        _gettext(request, "Your application was sent. The moderators will decide soon."),
    )


@router.post("/communities/{community_id}/leave")
async def leave(request: Request, community_id: str, _: Form) -> Response:
    """Leave the community or its waitlist."""
    if (redirect := login_required(request)) is not None:
        return redirect
    left = await _visit(request).api("POST", f"{API}/{community_id}/leave")
    return await _after(request, community_id, left, _gettext(request, "You left."))


# The code of conduct -------------------------------------------------------------------------


@router.get("/communities/{community_id}/code-of-conduct")
async def code_page(request: Request, community_id: str) -> Response:
    """The version in force, and accepting it (the emailed link after a new version)."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = _visit(request)
    community = _body(await visit.api("GET", f"{API}/{community_id}"))
    code = _body(await visit.api("GET", f"{API}/{community['id']}/code-of-conduct"))
    return _render(request, "communities/code.html", community=community, code=code)


@router.post("/communities/{community_id}/code-of-conduct")
async def accept_code(request: Request, community_id: str, form: Form) -> Response:
    """Accept the version in force."""
    if (redirect := login_required(request)) is not None:
        return redirect
    accepted = await _visit(request).api(
        "POST",
        f"{API}/{community_id}/code-of-conduct/acceptance",
        json={"version": _code_version(form)},
    )
    if not accepted.ok:
        _visit(request).flash(refusal(accepted))
        return see_other(f"/communities/{community_id}/code-of-conduct")
    return await _after(
        request,
        community_id,
        accepted,
        _gettext(request, "Thank you: the code of conduct is accepted."),
    )


@router.post("/communities/{community_id}/code-of-conduct/publish")
async def publish_code(request: Request, community_id: str, form: Form) -> Response:
    """The owner publishes a new version; the members accept it again."""
    if (redirect := login_required(request)) is not None:
        return redirect
    published = await _visit(request).api(
        "POST", f"{API}/{community_id}/code-of-conduct", json={"text": text(form, "text")}
    )
    return await _after(
        request,
        community_id,
        published,
        _gettext(request, "The new code of conduct is published; members will accept it again."),
    )


# Seat offers ---------------------------------------------------------------------------------


@router.get("/communities/{community_id}/seat-offers/{offer_id}")
async def seat_offer_page(request: Request, community_id: str, offer_id: str) -> Response:
    """The seat held for me (the emailed link), until its deadline."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = _visit(request)
    community = _body(await visit.api("GET", f"{API}/{community_id}"))
    held = await visit.api("GET", f"{API}/{community['id']}/seat-offer")
    offer = held.body if held.ok and isinstance(held.body, dict) else None
    if offer is not None and offer.get("offer_id") != offer_id:
        offer = None
    return _render(
        request,
        "communities/seat_offer.html",
        status=200 if offer else 404,
        community=community,
        offer=offer,
    )


@router.post("/communities/{community_id}/seat-offers/{offer_id}/accept")
async def accept_offer(request: Request, community_id: str, offer_id: str, form: Form) -> Response:
    """Take the seat, accepting the code of conduct in force."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = _visit(request)
    if not _accepted_code(form):
        visit.flash(_gettext(request, "Please accept the code of conduct to take the seat."))
        return see_other(f"/communities/{community_id}/seat-offers/{offer_id}")
    taken = await visit.api(
        "POST",
        f"{API}/{community_id}/seat-offer/accept",
        json={"code_of_conduct_version": _code_version(form)},
    )
    if not taken.ok:
        visit.flash(refusal(taken))
        return see_other(f"/communities/{community_id}/seat-offers/{offer_id}")
    return await _after(
        request, community_id, taken, _gettext(request, "Welcome! You are a member.")
    )


@router.post("/communities/{community_id}/seat-offers/{offer_id}/decline")
async def decline_offer(request: Request, community_id: str, offer_id: str, _: Form) -> Response:
    """Let the seat go to the next person in line."""
    if (redirect := login_required(request)) is not None:
        return redirect
    declined = await _visit(request).api("POST", f"{API}/{community_id}/seat-offer/decline")
    return await _after(
        request, community_id, declined, _gettext(request, "You declined the seat.")
    )


# Applications, for moderators ----------------------------------------------------------------


async def _names(visit: Visit, user_ids: set[str]) -> dict[str, str]:
    """Display names where the profile is visible to the reader."""
    names: dict[str, str] = {}
    for user_id in user_ids:
        profile = await visit.api("GET", f"/api/v1/profiles/{user_id}")
        if profile.ok and isinstance(profile.body, dict) and profile.body.get("display_name"):
            names[user_id] = str(profile.body["display_name"])
    return names


@router.get("/communities/{community_id}/applications")
async def applications_page(
    request: Request, community_id: str, cursor: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """The pending applications, oldest first (moderators)."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = _visit(request)
    community = _body(await visit.api("GET", f"{API}/{community_id}"))
    params: dict[str, Any] = {"status": "pending", "limit": PAGE_SIZE}
    if cursor:
        params["cursor"] = cursor
    queue = _body(await visit.api("GET", f"{API}/{community['id']}/applications", params=params))
    items = list(queue.get("items") or [])
    next_cursor = queue.get("next_cursor")
    return _render(
        request,
        "communities/applications.html",
        community=community,
        applications=items,
        names=await _names(visit, {str(a.get("applicant_id")) for a in items}),
        next_page=f"?{urlencode({'cursor': next_cursor})}" if next_cursor else None,
    )


@router.get("/communities/{community_id}/applications/{application_id}")
async def application_page(request: Request, community_id: str, application_id: str) -> Response:
    """One application with its answers, and the decision (the moderators' emailed link)."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = _visit(request)
    community = _body(await visit.api("GET", f"{API}/{community_id}"))
    application = _body(
        await visit.api("GET", f"{API}/{community['id']}/applications/{application_id}")
    )
    names = await _names(visit, {str(application.get("applicant_id"))})
    return _render(
        request,
        "communities/application.html",
        community=community,
        application=application,
        applicant=names.get(str(application.get("applicant_id"))),
    )


@router.post("/communities/{community_id}/applications/{application_id}/withdraw")
async def withdraw(
    request: Request, community_id: str, application_id: str, form: Form
) -> Response:
    """The applicant takes their pending application back, once they confirmed it."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = _visit(request)
    if text(form, "confirm") != "yes":
        visit.flash(_gettext(request, "Tick the box to confirm withdrawing your application."))
        return see_other(f"/communities/{community_id}#standing")
    withdrawn = await visit.api(
        "POST", f"{API}/{community_id}/applications/{quote(application_id, safe='')}/withdraw"
    )
    return await _after(
        request,
        community_id,
        withdrawn,
        _gettext(request, "Your application is withdrawn; you may apply again later."),
    )


@router.post("/communities/{community_id}/applications/{application_id}/{decision}")
async def decide(
    request: Request, community_id: str, application_id: str, decision: str, form: Form
) -> Response:
    """Approve or reject (a reason is needed to reject)."""
    if (redirect := login_required(request)) is not None:
        return redirect
    if decision not in ("approve", "reject"):
        raise HTTPException(404)
    visit = _visit(request)
    reason = text(form, "reason")
    here = f"/communities/{community_id}/applications/{application_id}"
    if decision == "reject" and not reason:
        visit.flash(_gettext(request, "Please give a reason for rejecting."))
        return see_other(here)
    decided = await visit.api(
        "POST",
        f"{API}/{community_id}/applications/{application_id}/{decision}",
        # The platform records a reason with every decision; approving needs no words of the
        # moderator's, so the note says so in their language.
        json={"reason": reason or _gettext(request, "Approved without a note.")},
    )
    if not decided.ok:
        visit.flash(refusal(decided))
        return see_other(here)
    visit.flash(
        _gettext(request, "Application approved.")
        if decision == "approve"
        else _gettext(request, "Application rejected.")
    )
    return see_other(f"/communities/{community_id}/applications")


# Invitations ---------------------------------------------------------------------------------


@router.post("/communities/{community_id}/invitations")
async def invite(request: Request, community_id: str, form: Form) -> Response:
    """Moderators invite someone by email; the platform sends the link."""
    if (redirect := login_required(request)) is not None:
        return redirect
    email = text(form, "email")
    invited = await _visit(request).api(
        "POST", f"{API}/{community_id}/invitations", json={"email": email}
    )
    return await _after(
        request,
        community_id,
        invited,
        _gettext(request, "Invitation sent to %(email)s.", email=email),
    )


@router.get("/accept-invitation")
async def invitation_page(
    request: Request, token: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """The emailed invitation: the community, then accept (after signing in if needed)."""
    preview = (
        await _visit(request).api("GET", f"/api/v1/invitations/{quote(token, safe='')}")
        if token
        else None
    )
    if preview is None or not preview.ok or not isinstance(preview.body, dict):
        return _render(
            request,
            "communities/invitation.html",
            status=(
                404
                if preview is None or preview.status in (404, 422)
                else status_for(preview.status)
            ),
            invitation=None,
            token=token,
        )
    here = f"/accept-invitation?{urlencode({'token': token})}"
    return _render(
        request,
        "communities/invitation.html",
        invitation=preview.body,
        token=token,
        login=f"/login?next={quote(here, safe='')}",
    )


@router.post("/accept-invitation")
async def accept_invitation(request: Request, form: Form) -> Response:
    """Use the invitation: a seat, or a place in line when the community is full."""
    token = text(form, "token")
    here = f"/accept-invitation?{urlencode({'token': token})}"
    if not _visit(request).signed_in:
        return see_other(f"/login?next={quote(here, safe='')}")
    visit = _visit(request)
    if not _accepted_code(form):
        visit.flash(_gettext(request, "Please accept the code of conduct to join."))
        return see_other(here)
    accepted = await visit.api(
        "POST",
        f"/api/v1/invitations/{quote(token, safe='')}/accept",
        json={"code_of_conduct_version": _code_version(form)},
    )
    if not accepted.ok or not isinstance(accepted.body, dict):
        visit.flash(refusal(accepted))
        return see_other(here)
    message = _gettext(request, "Welcome! You are a member.")
    if accepted.body.get("state") == "waitlisted":
        message = _gettext(
            request,
            "The community is full: you are number %(position)s on the waitlist.",
            position=accepted.body.get("waitlist_position"),
        )
    visit.flash(message)
    return see_other(f"/communities/{accepted.body['community_id']}")
