"""``GET /api/v1/me`` and ``GET /api/v1/stream``: the gateway's own client conveniences."""

from typing import Any

from fastapi import APIRouter, Request, Response

from cerchia_chassis.problems import Problem
from gateway.domain.headers import REQUEST_ID_HEADER
from gateway.domain.routes import Upstream
from gateway.entrypoints.deps import Admitted, Deps
from gateway.entrypoints.edge import record
from gateway.entrypoints.http_proxy import forward
from gateway.entrypoints.schemas import MeResponse, PartWarningResponse
from gateway.service.me import CallerRejected, NothingAvailable, Part, compose_me
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
        warnings=[
            PartWarningResponse(part=w.part, upstream=str(w.upstream), code=w.code, detail=w.detail)
            for w in view.warnings
        ],
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
