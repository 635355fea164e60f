"""Notifications: the centre, the unread badge, live updates (SSE relayed from the gateway),
preferences, web push on this browser, and my delivery log."""

import json
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from web.domain.preferences import (
    CATEGORIES,
    EMAIL_MODES,
    community_choices,
    from_form,
)
from web.domain.server_events import parse_events
from web.entrypoints.forms import redirect_or_refresh, refusal, safe_next, see_other
from web.entrypoints.pages import Form, gettext, render, signed_in, status_for, visit_of
from web.entrypoints.security import checked_header
from web.service.visits import Visit

router = APIRouter(include_in_schema=False)
FEED = "/api/v1/notifications"
STREAM = "/api/v1/notifications/stream"


@router.get("/notifications")
async def centre(
    request: Request, cursor: Annotated[str | None, Query(max_length=64)] = None
) -> Response:
    """My notifications, newest first, a page at a time."""
    visit = signed_in(request)
    page = await visit.api("GET", FEED, params={"cursor": cursor, "limit": 30})
    if page.status == 400:
        raise HTTPException(400)
    if not page.ok or not isinstance(page.body, dict):
        return render(request, "error.html", status=503, kind="http")
    return render(
        request,
        "notifications/centre.html",
        items=page.body.get("items") or [],
        next_cursor=page.body.get("next_cursor"),
    )


@router.post("/notifications/read-all")
async def read_all(request: Request, _: Form) -> Response:
    """Mark every notification read."""
    visit = signed_in(request)
    response = await visit.api("POST", f"{FEED}/read-all")
    if not response.ok:
        visit.flash(refusal(response))
    return redirect_or_refresh(request, "/notifications")


@router.post("/notifications/{notification_id}/open")
async def open_one(request: Request, notification_id: str, form: Form) -> Response:
    """Mark one read and go where it points."""
    visit = signed_in(request)
    response = await visit.api("POST", f"{FEED}/{notification_id}/read")
    if response.status == 404:
        raise HTTPException(404)
    link = form.get("link")
    return see_other(safe_next(link if isinstance(link, str) else None, "/notifications"))


@router.get("/notifications/stream")
async def stream(request: Request) -> Response:
    """New notifications while the page is open: each is relayed as rendered HTML (the item for
    the centre, `notification`) followed by the new badge (`unread`)."""
    visit = visit_of(request)
    if not visit.signed_in or visit.session.access_token is None:
        return Response(status_code=204)  # EventSource stops retrying on 204
    container = request.app.state.container
    pages = container.pages
    token = visit.session.access_token
    session_key = visit.session.key
    last_event_id = request.headers.get("last-event-id")

    async def events() -> AsyncIterator[ServerSentEvent]:
        async with container.gateway.stream(
            STREAM, token=token, last_event_id=last_event_id
        ) as upstream:
            if upstream.status_code != 200:
                return
            async for event in parse_events(upstream.aiter_lines()):
                if event.event != "notification":
                    continue
                item = json.loads(event.data)
                yield ServerSentEvent(
                    id=event.id,
                    event="notification",
                    data=pages.fragment(request, "notifications/_item.html", {"item": item}),
                )
                unread = await container.gateway.call("GET", f"{FEED}/unread-count", token=token)
                count = unread.body.get("unread") if isinstance(unread.body, dict) else None
                if unread.ok and isinstance(count, int):
                    container.unread.keep(session_key, count)  # the next page shows it too
                else:
                    container.unread.forget(session_key)
                yield ServerSentEvent(
                    event="unread",
                    data=pages.fragment(request, "notifications/_badge.html", {"unread": count}),
                )

    return EventSourceResponse(events(), ping=20)


@router.get("/notifications/preferences")
async def preferences_page(request: Request) -> Response:
    """The category by channel matrix, per community overrides, quiet hours, digest, push."""
    visit = signed_in(request)
    preferences = await visit.api("GET", "/api/v1/preferences")
    communities = await _my_communities(visit)
    vapid = await visit.api("GET", "/api/v1/push/vapid-public-key")
    if not preferences.ok or not isinstance(preferences.body, dict):
        return render(request, "error.html", status=503, kind="http")
    return render(
        request,
        "notifications/preferences.html",
        preferences=preferences.body,
        categories=CATEGORIES,
        email_modes=EMAIL_MODES,
        communities=[
            (community, community_choices(preferences.body, community["id"]))
            for community in communities
        ],
        vapid_key=vapid.body.get("public_key") if isinstance(vapid.body, dict) else None,
    )


@router.post("/notifications/preferences")
async def save_preferences(request: Request, form: Form) -> Response:
    """Replace my preferences with the form's."""
    visit = signed_in(request)
    values: dict[str, list[str]] = defaultdict(list)
    for name, value in form.multi_items():
        if isinstance(value, str):
            values[name].append(value)
    communities = [c["id"] for c in await _my_communities(visit)]
    stored = await visit.api("GET", "/api/v1/preferences")
    shown = stored.body.get("categories") if isinstance(stored.body, dict) else None
    document = from_form(values, communities, shown or {})
    response = await visit.api("PUT", "/api/v1/preferences", json=document)
    visit.flash(gettext(request, "Preferences saved.") if response.ok else refusal(response))
    return see_other("/notifications/preferences")


@router.get("/notifications/deliveries")
async def deliveries(
    request: Request,
    status: Annotated[str, Query(pattern="^(|pending|parked|sent|failed)$")] = "",
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """What was emailed or pushed to me and how it went, newest first: the channel, what it was
    about, its state and, when it did not arrive, why (a category, never the provider's text)."""
    visit = signed_in(request)
    page = await visit.api(
        "GET",
        f"{FEED}/deliveries/mine",
        params={"status": status or None, "cursor": cursor, "limit": 50},
    )
    if page.status in (400, 422):
        raise HTTPException(400)
    if not page.ok or not isinstance(page.body, dict):
        raise HTTPException(status_for(page.status), refusal(page))
    return render(
        request,
        "notifications/deliveries.html",
        items=[d for d in page.body.get("items") or [] if isinstance(d, dict)],
        next_cursor=page.body.get("next_cursor"),
        only=status,
    )


@router.post("/notifications/push/subscribe")
async def push_subscribe(request: Request, _: Annotated[None, Depends(checked_header)]) -> Response:
    """This browser's ``PushSubscription`` (posted by the page's script), handed to the platform."""
    visit = signed_in(request)
    try:
        subscription = await request.json()
    except ValueError as error:
        raise HTTPException(400) from error
    response = await visit.api("POST", "/api/v1/push/subscriptions", json=subscription)
    return Response(status_code=204 if response.ok else min(response.status, 499))


@router.post("/notifications/push/unsubscribe")
async def push_unsubscribe(
    request: Request, _: Annotated[None, Depends(checked_header)]
) -> Response:
    """Forget this browser's subscription."""
    visit = signed_in(request)
    try:
        body = await request.json()
    except ValueError as error:
        raise HTTPException(400) from error
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    response = await visit.api(
        "POST", "/api/v1/push/subscriptions/delete", json={"endpoint": endpoint}
    )
    return Response(status_code=204 if response.ok else min(response.status, 499))


async def _my_communities(visit: Visit) -> list[dict[str, Any]]:
    found = await visit.api("GET", "/api/v1/me/communities")
    if not found.ok or not isinstance(found.body, dict):
        return []
    return [
        {"id": str(item["community"]["id"]), "name": item["community"]["name"]}
        for item in found.body.get("items") or []
        if isinstance(item, dict) and (item.get("standing") or {}).get("state") == "member"
    ]


UNSUBSCRIBE = "/api/v1/unsubscribe"
UnsubscribeToken = Annotated[str, Query(min_length=10, max_length=500)]


@router.get(UNSUBSCRIBE)
async def unsubscribe_page(request: Request, token: UnsubscribeToken) -> Response:
    """The unsubscribe link of an email: a confirmation (link scanners open GET links, so only
    the button's POST unsubscribes)."""
    return render(request, "notifications/unsubscribe.html", token=token, done=None)


@router.post(UNSUBSCRIBE)
async def unsubscribe(request: Request, token: UnsubscribeToken) -> Response:
    """Unsubscribe — from the page's button, or a mail client's one-click POST (RFC 8058), which
    carries no cookie: the signed token alone says who and what, so no CSRF token is asked."""
    response = await visit_of(request).api("POST", UNSUBSCRIBE, params={"token": token})
    if not response.ok:
        return render(
            request,
            "notifications/unsubscribe.html",
            status=status_for(response.status),
            token=token,
            done=False,
        )
    return render(request, "notifications/unsubscribe.html", token=token, done=True)
