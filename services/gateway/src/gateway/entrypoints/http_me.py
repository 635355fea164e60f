"""``GET /api/v1/me``, a thread's view and ``GET /api/v1/stream``: the gateway's own client
conveniences."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from cerchia_chassis.problems import Problem
from cerchia_chassis.text import Line
from gateway.domain.headers import REQUEST_ID_HEADER, upstream_request_headers
from gateway.domain.routes import Upstream
from gateway.entrypoints.deps import Admitted, Deps, client_ip
from gateway.entrypoints.edge import record
from gateway.entrypoints.http_proxy import failure_problem, forward
from gateway.entrypoints.schemas import MeResponse, PartWarningResponse, ThreadViewResponse
from gateway.service.me import CallerRejected, NothingAvailable, Part, PartWarning, compose_me
from gateway.service.thread_view import (
    PartFailed,
    PartRefused,
    compose_thread_view,
    thread_parts,
)
from gateway.settings import GatewaySettings

router = APIRouter(prefix="/api/v1", tags=["gateway"])

_PROBLEM: dict[int | str, dict[str, Any]] = {
    401: {"description": "The access token is missing or not valid."},
    503: {"description": "No part of the view could be had."},
}


def _parts(settings: GatewaySettings) -> list[Part]:
    return [
        Part("profile", Upstream.MEMBERSHIP, settings.me_profile_path),
        Part("communities", Upstream.MEMBERSHIP, settings.me_communities_path),
        Part("unread_notifications", Upstream.NOTIFICATIONS, settings.me_unread_path),
        Part("upcoming_events", Upstream.EVENTS, settings.me_events_path),
    ]


@router.get(
    "/me",
    response_model=MeResponse,
    summary="The caller's profile, communities, unread count and upcoming events",
    responses=_PROBLEM,
)
async def me(request: Request, caller: Admitted, deps: Deps) -> MeResponse:
    """One round trip for a client's home screen. The services are asked in parallel; a part
    whose service fails is null and listed in `warnings`."""
    assert caller.principal is not None  # the access table requires a token here
    headers = {
        "Authorization": request.headers["authorization"],
        REQUEST_ID_HEADER: record(request).request_id,
        "X-Forwarded-For": caller.client_ip,
    }
    try:
        view = await compose_me(
            parts=_parts(deps.settings),
            reader=deps.upstreams,
            headers=headers,
            part_timeout_s=deps.settings.me_part_timeout_s,
        )
    except CallerRejected as exc:
        raise Problem(401, "invalid-token", "A service refused the access token.") from exc
    except NothingAvailable as exc:
        raise Problem(
            503,
            "upstream-unavailable",
            "None of the services behind this view answered.",
            headers={"Retry-After": "5"},
            warnings=[w.__dict__ for w in exc.warnings],
        ) from exc
    return MeResponse(
        user_id=caller.principal.user_id,
        **view.values,
        warnings=_warnings(view.warnings),
    )


_ID = r"^[A-Za-z0-9_-]{1,64}$"


def _warnings(warnings: list[PartWarning]) -> list[PartWarningResponse]:
    return [
        PartWarningResponse(part=w.part, upstream=str(w.upstream), code=w.code, detail=w.detail)
        for w in warnings
    ]


def _refusal(refused: PartRefused) -> Problem:
    """The view answers as the part's own read did (its problem's type and detail)."""
    body = refused.body if isinstance(refused.body, dict) else {}
    kind = str(body.get("type") or "").rsplit("/", 1)[-1] or "not-found"
    detail = body.get("detail")
    status = refused.status if 400 <= refused.status < 600 else 502
    retry = "1" if kind == "not-yet-consistent" else "5"
    return Problem(
        status,
        kind,
        str(detail) if detail else f"The {refused.part} cannot be read.",
        headers={"Retry-After": retry} if status == 503 else None,
        part=refused.part,
    )


@router.get(
    "/communities/{community_id}/threads/{thread_id}/view",
    response_model=ThreadViewResponse,
    summary="A thread with its community, a page of replies and who can be mentioned",
    responses={
        **_PROBLEM,
        400: {"description": "The cursor is not one this thread gave."},
        403: {"description": "The caller may not read this thread (not a member)."},
        404: {"description": "No such community, or no such thread in it."},
        503: {
            "description": "A service behind the page is unavailable or not yet "
            "consistent with the caller's last write; see Retry-After."
        },
    },
)
async def thread_view(
    request: Request,
    caller: Admitted,
    deps: Deps,
    *,
    community_id: Annotated[str, Path(pattern=_ID)],
    thread_id: Annotated[str, Path(pattern=_ID)],
    limit: Annotated[int, Query(ge=1, le=100, description="Replies on the page.")] = 50,
    cursor: Annotated[
        Line | None, Query(max_length=512, description="`next_cursor` of the previous page.")
    ] = None,
) -> ThreadViewResponse:
    """One round trip for a thread's page: the reads a client would make for it (the
    community with the caller's standing, the thread, a page of its replies, the members to
    mention), asked in parallel with the caller's headers (`Cerchia-Consistency` included).
    When the community, the thread or the replies cannot be read, the view answers that read's
    status and problem, with `part` naming it; a missing member list is only a warning."""
    del caller  # admitted: the access rule, the token and the rate limits were checked
    headers = dict(
        upstream_request_headers(
            request.headers.items(),
            client_ip=client_ip(request),
            scheme=request.url.scheme,
            host=request.headers.get("host"),
            request_id=record(request).request_id,
        )
    )
    try:
        view = await compose_thread_view(
            community_id=community_id,
            parts=thread_parts(community_id, thread_id, limit=limit, cursor=cursor),
            reader=deps.upstreams,
            headers=headers,
            part_timeout_s=deps.settings.thread_view_timeout_s,
        )
    except PartFailed as exc:
        raise failure_problem(exc.failure) from exc
    except PartRefused as exc:
        raise _refusal(exc) from exc
    return ThreadViewResponse(
        community=view.community,
        thread=view.thread,
        replies=view.replies,
        members=view.members,
        warnings=_warnings(view.warnings),
    )


@router.get(
    "/stream",
    summary="Realtime stream of the caller's in-app notifications (server-sent events)",
    response_class=Response,
    responses={
        200: {
            "description": "An endless `text/event-stream`; each event has an `id`.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **_PROBLEM,
    },
)
async def stream(request: Request, caller: Admitted, deps: Deps) -> Response:
    """Relays the notifications service's stream for the caller. Reconnect with the standard
    `Last-Event-ID` header (browsers' `EventSource` does) to resume after the last event seen;
    clients that cannot set headers may pass `?last_event_id=` instead."""
    del caller
    extra: list[tuple[str, str]] = []
    last = request.query_params.get("last_event_id")
    if last is not None and "last-event-id" not in request.headers:
        if not (last.isascii() and last.isprintable()) or len(last) > 256:
            raise Problem(400, "bad-last-event-id", "last_event_id must be a printable id.")
        extra.append(("Last-Event-ID", last))
    return await forward(
        request,
        deps,
        Upstream.NOTIFICATIONS,
        deps.settings.notifications_stream_path,
        streaming=True,
        extra_headers=extra,
    )
