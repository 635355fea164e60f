"""Gatherings: a community's events, an event with its RSVP, scheduling and changing events and
series, cancelling, calendar files and feeds, the host's attendees and check-in, the recap."""

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import segno
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from web.domain.api import ApiResponse
from web.domain.gatherings import (
    MAX_OCCURRENCES,
    REPEATS,
    Draft,
    Invalid,
    blank,
    changes,
    door_open,
    draft_from,
    draft_of,
    hosts_change,
    is_over,
    rule_change,
    series_grouped,
)
from web.domain.times import local_time
from web.entrypoints.forms import refusal, see_other, text
from web.entrypoints.pages import Form, render, signed_in, status_for, visit_of
from web.entrypoints.pages import gettext as _gettext
from web.entrypoints.places import Place, find_place, member_names
from web.service.visits import Visit

router = APIRouter(include_in_schema=False)
EVENTS = "/communities/{community_id}/events"
EVENT = EVENTS + "/{event_id}"
PAGE_SIZE = 20
Cursor = Annotated[str, Query(max_length=200)]


def _zone_params(visit: Visit, **params: Any) -> dict[str, Any]:
    """Query parameters with the reader's zone (the API says the times in it)."""
    return {**params, "tz": visit.session.zone}


async def _event(request: Request, community_id: str, event_id: str) -> dict[str, Any]:
    """The event as the reader may see it, or 404 (unknown, hidden, or another community's)."""
    visit = signed_in(request)
    found = await visit.api("GET", f"/api/v1/events/{event_id}", params=_zone_params(visit))
    if found.status in (403, 404) or (found.ok and not isinstance(found.body, dict)):
        raise HTTPException(404)
    if not found.ok:
        raise HTTPException(status_for(found.status), refusal(found))
    event: dict[str, Any] = found.body
    if event.get("community_id") != community_id:
        raise HTTPException(404)
    return event


def _absolute(request: Request, path: str) -> str:
    """``path`` on the client's public address (what calendar apps and phones open)."""
    base: str = request.app.state.container.settings.public_url.rstrip("/")
    return base + path


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


# ---- a community's events ---------------------------------------------------------------------


@router.get(EVENTS)
async def events_page(
    request: Request, community_id: str, past: bool = False, cursor: Cursor = ""
) -> Response:
    """Upcoming events (and, asked for, the past ones), a series shown once with its dates."""
    place = await find_place(request, community_id)
    visit = visit_of(request)
    listing = await visit.api(
        "GET",
        f"/api/v1/communities/{place.id}/events",
        params=_zone_params(
            visit, include_past=past or None, cursor=cursor or None, limit=PAGE_SIZE
        ),
    )
    if listing.status in (403, 404):
        return render(request, "discussions/not_member.html", status=403, place=place)
    if listing.status in (400, 422):
        raise HTTPException(400)
    if not listing.ok or not isinstance(listing.body, dict):
        raise HTTPException(status_for(listing.status), refusal(listing))
    feed = f"/calendars/communities/{place.id}.ics"
    return render(
        request,
        "gatherings/events.html",
        place=place,
        groups=series_grouped(listing.body.get("items") or []),
        next_cursor=listing.body.get("next_cursor"),
        first_page=not cursor,
        past=past,
        community_feed=_absolute(request, feed)
        if place.community.get("visibility") == "public"
        else None,
        webcal=_webcal,
    )


# ---- scheduling and changing ------------------------------------------------------------------


def _form_page(
    request: Request,
    place: Place,
    draft: Draft,
    *,
    event: dict[str, Any] | None = None,
    members: list[tuple[str, str]] | None = None,
    hosts: list[str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "gatherings/edit.html",
        status=status,
        place=place,
        draft=draft,
        event=event,
        members=members or [],
        hosts=set(hosts if hosts is not None else (event or {}).get("host_ids") or []),
        repeats=list(REPEATS),
        max_occurrences=MAX_OCCURRENCES,
        error=error,
    )


async def _host_choices(
    visit: Visit, community_id: str, event: dict[str, Any]
) -> list[tuple[str, str]]:
    """Who can host: the members by name, the event's current hosts first."""
    names = await member_names(visit, community_id)
    current = [str(h) for h in event.get("host_ids") or []]
    members = sorted(names.items(), key=lambda item: item[1].casefold())
    return [(h, names.get(h, h)) for h in current] + [m for m in members if m[0] not in current]


@router.get(EVENTS + "/new")
async def new_event(request: Request, community_id: str) -> Response:
    """The form to schedule an event or a series (members)."""
    place = await find_place(request, community_id)
    if not place.member:
        return render(request, "discussions/not_member.html", status=403, place=place)
    return _form_page(request, place, blank(zone=visit_of(request).session.zone or "UTC"))


@router.post(EVENTS)
async def schedule(request: Request, community_id: str, form: Form) -> Response:
    """Schedule it; a refusal shows the form again, as typed, with the reason."""
    place = await find_place(request, community_id)
    visit = visit_of(request)
    draft = draft_of(form, zone=visit.session.zone or "UTC")
    try:
        body = draft.request(new=True)
    except Invalid as invalid:
        return _form_page(request, place, draft, error=str(invalid), status=422)
    created = await visit.api("POST", f"/api/v1/communities/{place.id}/events", json=body)
    if created.ok and isinstance(created.body, dict):
        occurrences = created.body.get("occurrences") or []
        visit.flash(
            _gettext(request, "The series is scheduled: %(count)s dates.", count=len(occurrences))
            if len(occurrences) > 1
            else _gettext(request, "The event is scheduled.")
        )
        return see_other(f"/communities/{place.id}/events/{created.body['id']}")
    if created.status == 403:
        return render(request, "discussions/not_member.html", status=403, place=place)
    return _form_page(
        request, place, draft, error=refusal(created), status=status_for(created.status)
    )


@router.get(EVENT + "/edit")
async def edit_event(request: Request, community_id: str, event_id: str) -> Response:
    """The event's form, filled in (hosts and moderators)."""
    place = await find_place(request, community_id)
    event = await _event(request, community_id, event_id)
    if not event.get("can_manage"):
        raise HTTPException(403)
    members = await _host_choices(visit_of(request), community_id, event)
    return _form_page(request, place, draft_from(event), event=event, members=members)


@router.post(EVENT + "/edit")
async def change_event(request: Request, community_id: str, event_id: str, form: Form) -> Response:
    """Change what differs, for this date or (a series) this and the following ones."""
    place = await find_place(request, community_id)
    event = await _event(request, community_id, event_id)
    visit = visit_of(request)
    draft = draft_of(form, zone=str(event.get("time_zone") or "UTC"))
    scope = "following" if text(form, "scope") == "following" else "occurrence"
    chosen = [str(h) for h in form.getlist("host")]

    async def again(error: str, status: int) -> Response:
        members = await _host_choices(visit, community_id, event)
        return _form_page(
            request, place, draft, event=event, members=members, hosts=chosen, error=error,
            status=status,
        )  # fmt: skip

    try:
        changed = changes(event, draft.request(new=False))
        if text(form, "hosts_shown"):
            hosts = hosts_change(event, chosen)
            if hosts is not None:
                changed["host_ids"] = hosts
    except Invalid as invalid:
        return await again(str(invalid), 422)
    if changed:
        done = await visit.api(
            "PATCH", f"/api/v1/events/{event_id}", params={"scope": scope}, json=changed
        )
        if not done.ok:
            return await again(refusal(done), status_for(done.status))
    visit.flash(
        _gettext(request, "The event is changed.")
        if changed
        else _gettext(request, "Nothing was changed.")
    )
    return see_other(f"/communities/{place.id}/events/{event_id}")


@router.post(EVENT + "/recurrence")
async def change_series_rule(
    request: Request, community_id: str, event_id: str, form: Form
) -> Response:
    """A series repeats another way (from its first date): dates the new rule drops are
    cancelled, with everyone who answered told; new ones are added."""
    place = await find_place(request, community_id)
    event = await _event(request, community_id, event_id)
    visit = visit_of(request)
    if not event.get("series_id"):
        raise HTTPException(404)
    draft = draft_of(form, zone=str(event.get("time_zone") or "UTC"))
    try:
        rule = rule_change(event, draft)
    except Invalid as invalid:
        members = await _host_choices(visit, community_id, event)
        return _form_page(
            request, place, draft_from(event), event=event, members=members,
            error=str(invalid), status=422,
        )  # fmt: skip
    body: dict[str, Any] = {"rule": rule}
    if reason := text(form, "reason"):
        body["reason"] = reason
    done = await visit.api("PUT", f"/api/v1/events/{event_id}/recurrence", json=body)
    if not done.ok:
        members = await _host_choices(visit, community_id, event)
        return _form_page(
            request, place, draft_from(event), event=event, members=members,
            error=refusal(done), status=status_for(done.status),
        )  # fmt: skip
    summary = done.body if isinstance(done.body, dict) else {}
    visit.flash(
        _gettext(
            request, "The series repeats the new way: %(added)s dates added, %(dropped)s cancelled."
        )
        % {
            "added": len(summary.get("created") or []),
            "dropped": len(summary.get("cancelled") or []),
        }
    )
    return see_other(f"/communities/{place.id}/events/{event_id}")


@router.post(EVENT + "/cancel")
async def cancel_event(request: Request, community_id: str, event_id: str, form: Form) -> Response:
    """Cancel it (or it and the following dates); attendees are told the reason."""
    await _event(request, community_id, event_id)
    visit = visit_of(request)
    scope = "following" if text(form, "scope") == "following" else "occurrence"
    done = await visit.api(
        "POST",
        f"/api/v1/events/{event_id}/cancel",
        json={"reason": text(form, "reason") or None, "scope": scope},
    )
    visit.flash(_gettext(request, "The event is cancelled.") if done.ok else refusal(done))
    return see_other(f"/communities/{community_id}/events/{event_id}")


# ---- an event, and answering it ---------------------------------------------------------------


async def _recap_thread(visit: Visit, community_id: str, event_id: str) -> str | None:
    """The discussion a recap opened (recaps are threads in the "recaps" category)."""
    found = await visit.api(
        "GET",
        f"/api/v1/communities/{community_id}/threads",
        params={"category": "recaps", "sort": "newest", "limit": 100},
    )
    if not found.ok or not isinstance(found.body, dict):
        return None
    for thread in found.body.get("items") or []:
        if isinstance(thread, dict) and thread.get("linked_event_id") == event_id:
            return str(thread["id"])
    return None


@router.get(EVENT)
async def event_page(request: Request, community_id: str, event_id: str) -> Response:
    """When (in my zone and the event's), where, seats, my answer and place in line; for hosts,
    what they manage; the calendar links."""
    place = await find_place(request, community_id)
    event = await _event(request, community_id, event_id)
    visit = visit_of(request)
    recap_thread = await _recap_thread(visit, place.id, event_id) if event.get("recap") else None
    here = f"/communities/{place.id}/events/{event_id}"
    now = datetime.now(UTC)
    zone = str(event.get("time_zone") or "")
    elsewhere = zone and zone != (visit.session.zone or "UTC")
    language = request.state.language

    def there(field: str) -> str | None:
        return local_time(event[field], zone=zone, locale=language) if elsewhere else None

    return render(
        request,
        "gatherings/event.html",
        place=place,
        event=event,
        over=is_over(event, now),
        door_open=door_open(event, now),
        local_start=local_time(event["starts_at"], zone=zone, locale=language)
        if elsewhere
        else None,
        local_end=local_time(event["ends_at"], zone=zone, locale=language) if elsewhere else None,
        recap_thread=recap_thread,
        ics=f"{here}/calendar.ics",
        community_feed=_absolute(request, f"/calendars/communities/{place.id}.ics")
        if place.community.get("visibility") == "public"
        else None,
        webcal=_webcal,
    )


@router.post(EVENT + "/rsvp")
async def rsvp(request: Request, community_id: str, event_id: str, form: Form) -> Response:
    """Going, interested or not going (which frees a seat for the first in line)."""
    visit = signed_in(request)
    answer = text(form, "answer")
    response = await visit.api("PUT", f"/api/v1/events/{event_id}/rsvp", json={"answer": answer})
    visit.flash(_answered(request, response))
    return see_other(f"/communities/{community_id}/events/{event_id}")


def _answered(request: Request, response: ApiResponse) -> str:
    if not response.ok or not isinstance(response.body, dict):
        return refusal(response)
    if response.body.get("status") == "waitlisted":
        return _gettext(
            request,
            "The event is full: you are number %(position)s on the waitlist. If a seat frees "
            "up, it is yours and you are told.",
            position=response.body.get("waitlist_position"),
        )
    return _gettext(request, "Your answer was saved.")


@router.get(EVENT + "/calendar.ics")
async def event_calendar(request: Request, community_id: str, event_id: str) -> Response:
    """The event as a calendar file (its link included for confirmed attendees)."""
    visit = signed_in(request)
    found = await visit.api("GET", f"/api/v1/events/{event_id}/calendar.ics")
    return _calendar(found, f"{event_id}.ics", attachment=True)


@router.get("/calendars/communities/{community_id}.ics")
async def community_calendar(request: Request, community_id: str) -> Response:
    """A public community's public events, for calendar apps (no sign-in)."""
    found = await visit_of(request).api("GET", f"/api/v1/calendars/communities/{community_id}.ics")
    return _calendar(found, f"{community_id}.ics")


@router.get("/calendars/feeds/{token}.ics")
async def personal_calendar(request: Request, token: str) -> Response:
    """A person's secret feed of the events they are going to (no sign-in: the token is it)."""
    if not (16 <= len(token) <= 128) or not token.replace("-", "").replace("_", "").isalnum():
        raise HTTPException(404)
    found = await visit_of(request).api("GET", f"/api/v1/calendars/feeds/{quote(token)}.ics")
    return _calendar(found, "cerchia.ics")


def _calendar(found: ApiResponse, filename: str, *, attachment: bool = False) -> Response:
    if found.status in (403, 404):
        raise HTTPException(404)
    if not found.ok or not found.content:
        raise HTTPException(status_for(found.status), refusal(found))
    disposition = "attachment" if attachment else "inline"
    return Response(
        found.content,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
        },
    )


@router.get("/calendar")
async def my_calendar(request: Request) -> Response:
    """The personal feed: what it is, and the button that makes (or replaces) its address."""
    signed_in(request)
    return render(request, "gatherings/feed.html", feed=None)


@router.post("/calendar")
async def issue_feed(request: Request, form: Form) -> Response:
    """A new secret address (any earlier one stops working), or none at all."""
    visit = signed_in(request)
    if text(form, "action") == "revoke":
        done = await visit.api("DELETE", "/api/v1/calendars/me/feed")
        visit.flash(
            _gettext(request, "Your calendar address no longer works.")
            if done.ok
            else refusal(done)
        )
        return see_other("/calendar")
    made = await visit.api("POST", "/api/v1/calendars/me/feed")
    if not made.ok or not isinstance(made.body, dict):
        raise HTTPException(status_for(made.status), refusal(made))
    url = _absolute(request, f"/calendars/feeds/{made.body['token']}.ics")
    return render(request, "gatherings/feed.html", feed=url, webcal=_webcal)


# ---- hosts: attendees, check-in, recap --------------------------------------------------------


def _qr(payload: str) -> str:
    """A QR code as a data: URL (an image the page's policy allows)."""
    return segno.make(payload, error="m").svg_data_uri(scale=6, border=2)


@router.get(EVENT + "/attendees")
async def attendees_page(
    request: Request, community_id: str, event_id: str, cursor: Cursor = ""
) -> Response:
    """The host's door: who is going and who checked in, the waitlist, the code and its QR."""
    place = await find_place(request, community_id)
    event = await _event(request, community_id, event_id)
    if not event.get("can_manage"):
        raise HTTPException(403)
    visit = visit_of(request)
    base = f"/api/v1/events/{event_id}"
    going = await visit.api("GET", f"{base}/attendees", params={"cursor": cursor or None})
    if going.status in (400, 422):
        raise HTTPException(400)
    if not going.ok or not isinstance(going.body, dict):
        raise HTTPException(status_for(going.status), refusal(going))
    waiting = await visit.api("GET", f"{base}/waitlist")
    code = await visit.api("GET", f"{base}/check-in/code")
    door = None
    if code.ok and isinstance(code.body, dict):
        query = urlencode({"code": code.body["code"]})
        link = _absolute(request, f"/communities/{place.id}/events/{event_id}/check-in?{query}")
        door = {"code": code.body["code"], "link": link, "qr": _qr(link)}
    return render(
        request,
        "gatherings/attendees.html",
        place=place,
        event=event,
        page=going.body,
        first_page=not cursor,
        waitlist=waiting.body.get("items") or [] if isinstance(waiting.body, dict) else [],
        names=await member_names(visit, place.id),
        door=door,
    )


@router.post(EVENT + "/attendees/{user_id}/check-in")
async def check_in_attendee(
    request: Request, community_id: str, event_id: str, user_id: str, form: Form
) -> Response:
    """The host checks someone in at the door."""
    visit = signed_in(request)
    done = await visit.api(
        "POST", f"/api/v1/events/{event_id}/attendees/{quote(user_id, safe='')}/check-in"
    )
    name = text(form, "name") or user_id
    visit.flash(
        _gettext(request, "%(name)s is checked in.", name=name) if done.ok else refusal(done)
    )
    return see_other(f"/communities/{community_id}/events/{event_id}/attendees")


@router.get(EVENT + "/check-in")
async def check_in_page(
    request: Request,
    community_id: str,
    event_id: str,
    code: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    """Where the door's QR code leads: the code filled in, one button to confirm."""
    place = await find_place(request, community_id)
    event = await _event(request, community_id, event_id)
    return render(request, "gatherings/check_in.html", place=place, event=event, code=code)


@router.post(EVENT + "/check-in")
async def check_in(request: Request, community_id: str, event_id: str, form: Form) -> Response:
    """Check myself in with the host's code."""
    visit = signed_in(request)
    done = await visit.api(
        "POST", f"/api/v1/events/{event_id}/check-in", json={"code": text(form, "code").upper()}
    )
    visit.flash(_gettext(request, "You are checked in. Welcome!") if done.ok else refusal(done))
    return see_other(f"/communities/{community_id}/events/{event_id}")


@router.post(EVENT + "/recap")
async def publish_recap(request: Request, community_id: str, event_id: str, form: Form) -> Response:
    """Publish or revise the recap: notes and links (one ``title | address`` per line)."""
    visit = signed_in(request)
    links = []
    for line in text(form, "links").splitlines():
        title, _, url = line.rpartition("|") if "|" in line else ("", "", line)
        if url.strip():
            links.append({"title": title.strip() or url.strip(), "url": url.strip()})
    done = await visit.api(
        "PUT",
        f"/api/v1/events/{event_id}/recap",
        json={"notes": text(form, "notes"), "links": links},
    )
    visit.flash(
        _gettext(request, "The recap is published; its discussion opens in the community shortly.")
        if done.ok
        else refusal(done)
    )
    return see_other(f"/communities/{community_id}/events/{event_id}")
