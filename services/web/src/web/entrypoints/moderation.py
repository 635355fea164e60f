"""Moderation: flagging a thread, reply or resource; the moderators' queue, each flagged post
shown with its context; decisions with a required reason; the moderation log; managing members
(roles, removal, bans) and the community's audit log with lifting bans; the waitlist."""

import asyncio
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from web.entrypoints.forms import refusal, see_other, text
from web.entrypoints.pages import Form, render, signed_in, status_for, visit_of
from web.entrypoints.pages import gettext as _gettext
from web.entrypoints.places import Place, find_place, member_names
from web.service.visits import Visit

router = APIRouter(include_in_schema=False)
COMMUNITY = "/communities/{community_id}"
Kind = Literal["thread", "reply", "resource"]
Cursor = Annotated[str, Query(max_length=200)]
#: What moderators decide about a post, and what members are told it means.
ACTIONS = ("hide", "remove", "restore")


async def context_of(visit: Visit, community_id: str, kind: str, target_id: str) -> dict[str, Any]:
    """What a flag is about, as moderators need to judge it: its words, its author, where it is.
    ``missing`` when the platform no longer shows it (removed or deleted)."""
    base = f"/communities/{community_id}"
    path = {"thread": "threads", "reply": "replies", "resource": "resources"}[kind]
    found = await visit.api("GET", f"/api/v1/{path}/{quote(target_id, safe='')}")
    body = found.body if found.ok and isinstance(found.body, dict) else None
    if body is None:
        return {"kind": kind, "id": target_id, "missing": True}
    author = body.get("author") if isinstance(body.get("author"), Mapping) else None
    if kind == "thread":
        link, title, html = f"{base}/threads/{target_id}", body.get("title"), body.get("body_html")
    elif kind == "reply":
        link = f"{base}/threads/{body.get('thread_id')}/replies/{target_id}"
        title, html = None, body.get("body_html")
    else:
        link = f"{base}/library#resource-{target_id}"
        title, html = body.get("title"), body.get("description_html")
    return {
        "kind": kind,
        "id": target_id,
        "missing": False,
        "title": title,
        "html": html or "",
        "author": (author or {}).get("display_name"),
        "visibility": body.get("visibility", "visible"),
        "link": link,
    }


def _moderators_only(request: Request, place: Place) -> None:
    if not place.moderator:
        raise HTTPException(403, _gettext(request, "Only the community's moderators see this."))


# ---- flagging -----------------------------------------------------------------------------


@router.get(COMMUNITY + "/flag")
async def flag_page(
    request: Request,
    community_id: str,
    kind: Kind,
    target: Annotated[str, Query(alias="id", min_length=1, max_length=64)],
) -> Response:
    """Tell the moderators about a post: what it is, and why."""
    place = await find_place(request, community_id)
    if not place.member:
        return render(request, "discussions/not_member.html", status=403, place=place)
    post = await context_of(visit_of(request), place.id, kind, target)
    if post["missing"]:
        raise HTTPException(404)
    return render(request, "moderation/flag.html", place=place, post=post, reason="", error=None)


@router.post(COMMUNITY + "/flag")
async def flag(request: Request, community_id: str, form: Form) -> Response:
    """Send the flag to the moderators' queue, and go back to the post."""
    place = await find_place(request, community_id)
    visit = visit_of(request)
    kind, target, reason = text(form, "kind"), text(form, "id"), text(form, "reason")
    if kind not in ("thread", "reply", "resource") or not target:
        raise HTTPException(400)
    post = await context_of(visit, place.id, kind, target)
    if post["missing"]:
        raise HTTPException(404)
    sent = await visit.api(
        "POST",
        f"/api/v1/communities/{place.id}/flags",
        json={"target_kind": kind, "target_id": target, "reason": reason},
    )
    if not sent.ok:
        return render(
            request,
            "moderation/flag.html",
            status=status_for(sent.status),
            place=place,
            post=post,
            reason=reason,
            error=refusal(sent),
        )
    visit.flash(_gettext(request, "Thank you: the moderators will look at it."))
    return see_other(str(post["link"]))


# ---- the queue, decisions and the log -----------------------------------------------------


@router.get(COMMUNITY + "/moderation")
async def queue(request: Request, community_id: str, cursor: Cursor = "") -> Response:
    """Open flags, oldest first, one card per flagged post with its context and every reason."""
    place = await find_place(request, community_id)
    _moderators_only(request, place)
    visit = visit_of(request)
    found = await visit.api(
        "GET",
        f"/api/v1/communities/{place.id}/moderation/queue",
        params={"cursor": cursor or None},
    )
    if not found.ok or not isinstance(found.body, dict):
        raise HTTPException(status_for(found.status), refusal(found))
    flags = [f for f in found.body.get("items") or [] if isinstance(f, dict)]
    targets: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in flags:
        targets.setdefault((str(item["target_kind"]), str(item["target_id"])), []).append(item)
    posts = await asyncio.gather(
        *(context_of(visit, place.id, kind, target) for kind, target in targets)
    )
    names = await member_names(visit, place.id)
    cards = [{"post": post, "flags": targets[(post["kind"], post["id"])]} for post in posts]
    return render(
        request,
        "moderation/queue.html",
        place=place,
        cards=cards,
        names=names,
        next_cursor=found.body.get("next_cursor"),
        actions=ACTIONS,
    )


@router.post(COMMUNITY + "/moderation/decisions")
async def decide(request: Request, community_id: str, form: Form) -> Response:
    """Hide, remove or restore a post, with the reason the log keeps and the author is told."""
    place = await find_place(request, community_id)
    _moderators_only(request, place)
    visit = visit_of(request)
    done = await visit.api(
        "POST",
        f"/api/v1/communities/{place.id}/moderation/decisions",
        json={
            "target_kind": text(form, "kind"),
            "target_id": text(form, "id"),
            "action": text(form, "action"),
            "reason": text(form, "reason"),
        },
    )
    visit.flash(_gettext(request, "Decided; it is in the log.") if done.ok else refusal(done))
    return see_other(f"/communities/{place.id}/moderation")


@router.get(COMMUNITY + "/moderation/log")
async def log(request: Request, community_id: str, cursor: Cursor = "") -> Response:
    """Every decision, newest first: what, by whom, why."""
    place = await find_place(request, community_id)
    _moderators_only(request, place)
    visit = visit_of(request)
    found = await visit.api(
        "GET",
        f"/api/v1/communities/{place.id}/moderation/log",
        params={"cursor": cursor or None},
    )
    if not found.ok or not isinstance(found.body, dict):
        raise HTTPException(status_for(found.status), refusal(found))
    return render(
        request,
        "moderation/log.html",
        place=place,
        page=found.body,
        names=await member_names(visit, place.id),
    )


# ---- members: roles, removal, bans, the audit log -----------------------------------------


@router.post(COMMUNITY + "/members/{user_id}/{action}")
async def manage(
    request: Request, community_id: str, user_id: str, action: str, form: Form
) -> Response:
    """Change a role (the owner), remove or ban a member (moderators), with a reason."""
    place = await find_place(request, community_id)
    _moderators_only(request, place)
    visit = visit_of(request)
    member = f"/api/v1/communities/{place.id}/members/{quote(user_id, safe='')}"
    reason = text(form, "reason")
    if action == "role":
        done = await visit.api("PUT", f"{member}/role", json={"role": text(form, "role")})
        told = _gettext(request, "The role is changed.")
    elif action == "remove":
        done = await visit.api("POST", f"{member}/removal", json={"reason": reason})
        told = _gettext(request, "The member is removed.")
    elif action == "ban":
        done = await visit.api(
            "POST",
            f"/api/v1/communities/{place.id}/bans",
            json={"user_id": user_id, "reason": reason},
        )
        told = _gettext(request, "The person is banned.")
    else:
        raise HTTPException(404)
    visit.flash(told if done.ok else refusal(done))
    return see_other(f"/communities/{place.id}/members")


@router.get(COMMUNITY + "/audit")
async def audit(request: Request, community_id: str, cursor: Cursor = "") -> Response:
    """Moderation and admission decisions, newest first; bans can be lifted from here."""
    place = await find_place(request, community_id)
    _moderators_only(request, place)
    visit = visit_of(request)
    found = await visit.api(
        "GET", f"/api/v1/communities/{place.id}/audit", params={"cursor": cursor or None}
    )
    if not found.ok or not isinstance(found.body, dict):
        raise HTTPException(status_for(found.status), refusal(found))
    return render(
        request,
        "moderation/audit.html",
        place=place,
        page=found.body,
        names=await member_names(visit, place.id),
    )


async def profile_names(visit: Visit, user_ids: set[str]) -> dict[str, str]:
    """Display names of people who are not members yet (the directory lists members only),
    where their profile is visible to the reader."""

    async def one(user_id: str) -> tuple[str, str]:
        found = await visit.api("GET", f"/api/v1/profiles/{quote(user_id, safe='')}")
        body = found.body if found.ok and isinstance(found.body, dict) else {}
        return user_id, str(body.get("display_name") or "")

    return {k: v for k, v in await asyncio.gather(*(one(u) for u in sorted(user_ids))) if v}


@router.get(COMMUNITY + "/waitlist")
async def waitlist(request: Request, community_id: str) -> Response:
    """Who is waiting for a seat, in order (people holding an offer first); a freed seat or a
    raised capacity goes to the first in line."""
    place = await find_place(request, community_id)
    _moderators_only(request, place)
    visit = visit_of(request)
    found = await visit.api("GET", f"/api/v1/communities/{place.id}/waitlist")
    if not found.ok or not isinstance(found.body, dict):
        raise HTTPException(status_for(found.status), refusal(found))
    line = [e for e in found.body.get("items") or [] if isinstance(e, dict)]
    return render(
        request,
        "moderation/waitlist.html",
        place=place,
        line=line,
        names=await profile_names(visit, {str(e.get("user_id")) for e in line}),
    )


@router.post(COMMUNITY + "/bans/{user_id}/lift")
async def lift(request: Request, community_id: str, user_id: str, form: Form) -> Response:
    """Lift a ban (the person may apply or be invited again), with the reason."""
    place = await find_place(request, community_id)
    _moderators_only(request, place)
    visit = signed_in(request)
    done = await visit.api(
        "POST",
        f"/api/v1/communities/{place.id}/bans/{quote(user_id, safe='')}/lift",
        json={"reason": text(form, "reason")},
    )
    visit.flash(_gettext(request, "The ban is lifted.") if done.ok else refusal(done))
    return see_other(f"/communities/{place.id}/audit")
