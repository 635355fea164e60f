"""A thread as a client shows it, in one read: the community with the caller's standing, the
thread, one page of its replies and the members the caller can mention.

The four reads go to their services in parallel. The community, the thread and the replies are
the page: when one of them is refused or missing, so is the view, with that service's status.
The members are a convenience (a mention picker): when they cannot be had the view still comes,
with an empty list and a warning.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from gateway.domain.routes import Upstream
from gateway.service.me import Part, PartWarning, read_parts
from gateway.service.ports import FailureKind, JsonReply, UpstreamFailure, UpstreamReader

#: Members offered to a mention picker (the directory's largest page).
MEMBERS_LIMIT = 100
_REQUIRED = ("community", "thread", "replies")


@dataclass(frozen=True)
class ThreadView:
    """The parts of the page; ``warnings`` names an optional part left out."""

    community: dict[str, Any]
    thread: dict[str, Any]
    replies: dict[str, Any]
    members: list[Any] = field(default_factory=list)
    warnings: list[PartWarning] = field(default_factory=list)


class PartRefused(Exception):
    """A part of the page answered something else than 200: the view answers the same."""

    def __init__(self, part: str, status: int, body: Any) -> None:
        super().__init__(f"{part}: {status}")
        self.part = part
        self.status = status
        self.body = body


class PartFailed(Exception):
    """A part of the page could not be had from its service."""

    def __init__(self, failure: UpstreamFailure) -> None:
        super().__init__(str(failure))
        self.failure = failure


def thread_parts(
    community_id: str, thread_id: str, *, limit: int, cursor: str | None
) -> list[Part]:
    """The reads behind the view of ``thread_id`` in ``community_id``."""
    community = f"/api/v1/communities/{quote(community_id, safe='')}"
    thread = f"/api/v1/threads/{quote(thread_id, safe='')}"
    page: dict[str, Any] = {"limit": limit}
    if cursor:
        page["cursor"] = cursor
    return [
        Part("community", Upstream.MEMBERSHIP, community),
        Part("thread", Upstream.CONTENT, thread),
        Part("replies", Upstream.CONTENT, f"{thread}/replies?{urlencode(page)}"),
        Part("members", Upstream.MEMBERSHIP, f"{community}/directory?limit={MEMBERS_LIMIT}"),
    ]


async def compose_thread_view(
    *,
    community_id: str,
    parts: list[Part],
    reader: UpstreamReader,
    headers: Mapping[str, str],
    part_timeout_s: float,
) -> ThreadView:
    """Read every part; raise PartRefused or PartFailed when the page itself cannot be had.

    A thread of another community is not found here, as it would not be on its community's
    page.
    """
    replies = await read_parts(parts, reader=reader, headers=headers, budget_s=part_timeout_s)
    got = {part.name: reply for part, reply in zip(parts, replies, strict=True)}
    bodies: dict[str, dict[str, Any]] = {}
    # The community first: a refused or missing community explains a refused thread.
    for name in _REQUIRED:
        reply = got[name]
        if isinstance(reply, UpstreamFailure):
            raise PartFailed(reply)
        if reply.status != 200:
            raise PartRefused(name, reply.status, reply.body)
        if not isinstance(reply.body, dict):
            raise PartFailed(_unreadable(parts, name))
        bodies[name] = reply.body
    if bodies["thread"].get("community_id") != community_id:
        raise PartRefused("thread", 404, None)
    members, warnings = _members(got["members"])
    return ThreadView(
        community=bodies["community"],
        thread=bodies["thread"],
        replies=bodies["replies"],
        members=members,
        warnings=warnings,
    )


def _unreadable(parts: list[Part], name: str) -> UpstreamFailure:
    upstream = next(part.upstream for part in parts if part.name == name)
    return UpstreamFailure(upstream, FailureKind.BAD_GATEWAY, f"an unreadable {name}")


def _members(reply: JsonReply | UpstreamFailure) -> tuple[list[Any], list[PartWarning]]:
    if isinstance(reply, UpstreamFailure):
        return [], [PartWarning("members", reply.upstream, str(reply.kind), reply.detail)]
    items = reply.body.get("items") if isinstance(reply.body, dict) else None
    if reply.status != 200 or not isinstance(items, list):
        detail = f"the service answered {reply.status}"
        return [], [PartWarning("members", Upstream.MEMBERSHIP, "upstream-error", detail)]
    return items, []
