"""``GET /api/v1/me``: parallel parts, partial answers, refusals."""

import asyncio
from collections.abc import Mapping

import pytest

from gateway.domain.routes import Upstream
from gateway.service.me import CallerRejected, NothingAvailable, Part, compose_me
from gateway.service.ports import FailureKind, JsonReply, UpstreamFailure

pytestmark = pytest.mark.unit

PARTS = [
    Part("profile", Upstream.MEMBERSHIP, "/api/v1/profiles/me"),
    Part("communities", Upstream.MEMBERSHIP, "/api/v1/me/communities"),
    Part("unread_notifications", Upstream.NOTIFICATIONS, "/api/v1/notifications/unread-count"),
    Part("upcoming_events", Upstream.EVENTS, "/api/v1/me/events?limit=5"),
]
HEALTHY: dict[str, JsonReply | UpstreamFailure] = {
    "/api/v1/profiles/me": JsonReply(200, {"display_name": "Ada"}),
    "/api/v1/me/communities": JsonReply(
        200, {"items": [{"community_id": "c1", "role": "owner"}], "next_cursor": None}
    ),
    "/api/v1/notifications/unread-count": JsonReply(200, {"unread": 4}),
    "/api/v1/me/events?limit=5": JsonReply(200, [{"event_id": "e1"}]),
}


class FakeReader:
    """Answers per path; with ``together``, no answer comes until every part has been asked."""

    def __init__(
        self, replies: dict[str, JsonReply | UpstreamFailure], *, together: int = 0
    ) -> None:
        self.replies = replies
        self.headers: list[Mapping[str, str]] = []
        self._arrived = 0
        self._all_asked = asyncio.Event()
        self._together = together

    async def get_json(
        self, upstream: Upstream, path: str, *, headers: Mapping[str, str], budget_s: float
    ) -> JsonReply:
        self.headers.append(headers)
        self._arrived += 1
        if self._arrived >= self._together:
            self._all_asked.set()
        await asyncio.wait_for(self._all_asked.wait(), timeout=2)
        reply = self.replies[path]
        if isinstance(reply, UpstreamFailure):
            raise reply
        return reply


async def test_all_parts_are_asked_in_parallel_and_shaped() -> None:
    reader = FakeReader(HEALTHY, together=len(PARTS))
    view = await compose_me(
        parts=PARTS, reader=reader, headers={"Authorization": "Bearer t"}, part_timeout_s=1
    )
    assert view.warnings == []
    assert view.values == {
        "profile": {"display_name": "Ada"},
        "communities": [{"community_id": "c1", "role": "owner"}],
        "unread_notifications": 4,
        "upcoming_events": [{"event_id": "e1"}],
    }
    assert all(h["Authorization"] == "Bearer t" for h in reader.headers)


async def test_a_failing_part_becomes_a_warning() -> None:
    replies = dict(HEALTHY)
    replies["/api/v1/me/events?limit=5"] = UpstreamFailure(
        Upstream.EVENTS, FailureKind.UNAVAILABLE, "the service is unavailable"
    )
    replies["/api/v1/notifications/unread-count"] = JsonReply(500, None)
    view = await compose_me(parts=PARTS, reader=FakeReader(replies), headers={}, part_timeout_s=1)
    assert set(view.values) == {"profile", "communities"}
    assert [(w.part, w.upstream, w.code) for w in view.warnings] == [
        ("unread_notifications", Upstream.NOTIFICATIONS, "upstream-error"),
        ("upcoming_events", Upstream.EVENTS, "upstream-unavailable"),
    ]


async def test_an_unreadable_answer_is_a_warning_too() -> None:
    replies = dict(HEALTHY)
    replies["/api/v1/notifications/unread-count"] = JsonReply(200, {"unexpected": True})
    view = await compose_me(parts=PARTS, reader=FakeReader(replies), headers={}, part_timeout_s=1)
    assert "unread_notifications" not in view.values
    assert view.warnings[0].code == "unexpected-body"


async def test_a_refused_token_refuses_the_whole_view() -> None:
    replies = dict(HEALTHY)
    replies["/api/v1/profiles/me"] = JsonReply(401, {"type": "invalid-token"})
    with pytest.raises(CallerRejected):
        await compose_me(parts=PARTS, reader=FakeReader(replies), headers={}, part_timeout_s=1)


async def test_nothing_available_when_every_part_fails() -> None:
    down = {
        path: UpstreamFailure(Upstream.MEMBERSHIP, FailureKind.TIMEOUT, "slow") for path in HEALTHY
    }
    with pytest.raises(NothingAvailable) as caught:
        await compose_me(parts=PARTS, reader=FakeReader(down), headers={}, part_timeout_s=1)
    assert len(caught.value.warnings) == len(PARTS)
