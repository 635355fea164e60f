"""``GET /api/v1/me``: profile, communities, unread count and upcoming events in one call; the
parallel reading of parts that the gateway's combined views share."""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.domain.routes import Upstream
from gateway.service.ports import JsonReply, UpstreamFailure, UpstreamReader

_REJECTED = (401,)


@dataclass(frozen=True)
class Part:
    """One upstream read behind the combined view."""

    name: str
    upstream: Upstream
    path: str


@dataclass(frozen=True)
class PartWarning:
    """A part that is missing from the view, and why."""

    part: str
    upstream: Upstream
    code: str
    detail: str


@dataclass(frozen=True)
class MeView:
    """What could be had; ``warnings`` names what could not."""

    values: dict[str, Any] = field(default_factory=dict)
    warnings: list[PartWarning] = field(default_factory=list)


class CallerRejected(Exception):
    """An upstream refused the caller's credentials (for example a revoked session)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"upstream answered {status}")
        self.status = status


class NothingAvailable(Exception):
    """Every part failed."""

    def __init__(self, warnings: list[PartWarning]) -> None:
        super().__init__("; ".join(f"{w.part}: {w.detail}" for w in warnings))
        self.warnings = warnings


def _items(body: Any) -> Any:
    # Lists come as cursor pages ({"items": [...], "next_cursor": ...}) or as bare lists.
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"]
    return body


def _count(body: Any) -> int | None:
    if isinstance(body, bool):
        return None
    if isinstance(body, int):
        return body
    if isinstance(body, dict):
        for key in ("unread", "unread_count", "count"):
            value = body.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return None


_SHAPERS = {"communities": _items, "upcoming_events": _items, "unread_notifications": _count}


async def read_parts(
    parts: Sequence[Part],
    *,
    reader: UpstreamReader,
    headers: Mapping[str, str],
    budget_s: float,
) -> list[JsonReply | UpstreamFailure]:
    """Every part's answer, or its failure, read in parallel (in the order of ``parts``)."""

    async def read(part: Part) -> JsonReply | UpstreamFailure:
        try:
            return await reader.get_json(
                part.upstream, part.path, headers=headers, budget_s=budget_s
            )
        except UpstreamFailure as failure:
            return failure

    return list(await asyncio.gather(*(read(part) for part in parts)))


async def compose_me(
    *,
    parts: Sequence[Part],
    reader: UpstreamReader,
    headers: Mapping[str, str],
    part_timeout_s: float,
) -> MeView:
    """Ask every part in parallel; a part that fails becomes a warning, not an error.

    Raise CallerRejected when a service refuses the caller, NothingAvailable when no part came.
    """

    replies = await read_parts(parts, reader=reader, headers=headers, budget_s=part_timeout_s)
    view = MeView()
    for part, reply in zip(parts, replies, strict=True):
        if isinstance(reply, UpstreamFailure):
            view.warnings.append(PartWarning(part.name, part.upstream, reply.kind, reply.detail))
        elif reply.status in _REJECTED:
            raise CallerRejected(reply.status)
        elif reply.status != 200:
            view.warnings.append(
                PartWarning(
                    part.name,
                    part.upstream,
                    "upstream-error",
                    f"the service answered {reply.status}",
                )
            )
        else:
            value = _SHAPERS.get(part.name, lambda body: body)(reply.body)
            if value is None:
                view.warnings.append(
                    PartWarning(part.name, part.upstream, "unexpected-body", "unreadable answer")
                )
            else:
                view.values[part.name] = value
    if not view.values and view.warnings:
        raise NothingAvailable(view.warnings)
    return view
