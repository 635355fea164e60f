"""A thread's view: four reads in parallel, the page's parts required, the members optional."""

import asyncio
from collections.abc import Mapping

import pytest

from gateway.domain.routes import Upstream
from gateway.service.ports import FailureKind, JsonReply, UpstreamFailure
from gateway.service.thread_view import (
    PartFailed,
    PartRefused,
    ThreadView,
    compose_thread_view,
    thread_parts,
)

pytestmark = pytest.mark.unit

PARTS = thread_parts("c1", "t1", limit=50, cursor="abc=/+")
COMMUNITY, THREAD, REPLIES, MEMBERS = (part.path for part in PARTS)


def healthy() -> dict[str, JsonReply | UpstreamFailure]:
    return {
        COMMUNITY: JsonReply(200, {"id": "c1", "my_standing": {"state": "member"}}),
        THREAD: JsonReply(200, {"id": "t1", "community_id": "c1", "reply_count": 1}),
        REPLIES: JsonReply(200, {"items": [{"id": "r1"}], "next_cursor": None}),
        MEMBERS: JsonReply(200, {"items": [{"user_id": "u1", "handle": "ada"}]}),
    }


class Reader:
    """Answers by path once all four reads are in flight (so they must be parallel)."""

    def __init__(self, replies: dict[str, JsonReply | UpstreamFailure]) -> None:
        self.replies = replies
        self.asked: list[tuple[Upstream, str, Mapping[str, str]]] = []
        self._all = asyncio.Event()

    async def get_json(
        self, upstream: Upstream, path: str, *, headers: Mapping[str, str], budget_s: float
    ) -> JsonReply:
        self.asked.append((upstream, path, headers))
        if len(self.asked) == len(PARTS):
            self._all.set()
        await asyncio.wait_for(self._all.wait(), timeout=2)
        reply = self.replies[path]
        if isinstance(reply, UpstreamFailure):
            raise reply
        return reply


async def view(replies: dict[str, JsonReply | UpstreamFailure]) -> ThreadView:
    return await compose_thread_view(
        community_id="c1",
        parts=PARTS,
        reader=Reader(replies),
        headers={"Cerchia-Consistency": "tok"},
        part_timeout_s=1,
    )


def test_the_parts_are_the_reads_a_client_would_make() -> None:
    assert [(p.name, p.upstream) for p in PARTS] == [
        ("community", Upstream.MEMBERSHIP),
        ("thread", Upstream.CONTENT),
        ("replies", Upstream.CONTENT),
        ("members", Upstream.MEMBERSHIP),
    ]
    assert COMMUNITY == "/api/v1/communities/c1"
    assert REPLIES == "/api/v1/threads/t1/replies?limit=50&cursor=abc%3D%2F%2B"
    assert MEMBERS == "/api/v1/communities/c1/directory?limit=100"
    assert "cursor" not in thread_parts("c1", "t1", limit=5, cursor=None)[2].path


async def test_a_whole_view_is_read_in_parallel_with_the_callers_headers() -> None:
    reader = Reader(healthy())
    got = await compose_thread_view(
        community_id="c1",
        parts=PARTS,
        reader=reader,
        headers={"Cerchia-Consistency": "tok"},
        part_timeout_s=1,
    )
    assert got.thread["id"] == "t1"
    assert got.replies["items"] == [{"id": "r1"}]
    assert got.members == [{"user_id": "u1", "handle": "ada"}]
    assert got.warnings == []
    assert {headers["Cerchia-Consistency"] for _u, _p, headers in reader.asked} == {"tok"}


@pytest.mark.parametrize(
    ("path", "reply", "part", "status"),
    [
        (COMMUNITY, JsonReply(404, {"type": "x/not-found"}), "community", 404),
        (THREAD, JsonReply(403, {"type": "x/not-a-member"}), "thread", 403),
        (THREAD, JsonReply(200, {"id": "t1", "community_id": "other"}), "thread", 404),
        (REPLIES, JsonReply(400, {"type": "x/bad-cursor"}), "replies", 400),
        (REPLIES, JsonReply(503, {"type": "x/not-yet-consistent"}), "replies", 503),
    ],
)
async def test_a_page_part_that_is_refused_refuses_the_view(
    path: str, reply: JsonReply, part: str, status: int
) -> None:
    with pytest.raises(PartRefused) as refused:
        await view({**healthy(), path: reply})
    assert (refused.value.part, refused.value.status) == (part, status)


async def test_a_missing_community_explains_a_refused_thread() -> None:
    replies = {
        **healthy(),
        COMMUNITY: JsonReply(404, None),
        THREAD: JsonReply(403, None),
    }
    with pytest.raises(PartRefused) as refused:
        await view(replies)
    assert refused.value.part == "community"


async def test_a_page_part_without_an_answer_fails_the_view() -> None:
    down = UpstreamFailure(Upstream.CONTENT, FailureKind.TIMEOUT, "too slow")
    with pytest.raises(PartFailed) as failed:
        await view({**healthy(), REPLIES: down})
    assert failed.value.failure is down
    with pytest.raises(PartFailed):
        await view({**healthy(), THREAD: JsonReply(200, ["not", "a", "thread"])})


@pytest.mark.parametrize(
    "reply",
    [
        UpstreamFailure(Upstream.MEMBERSHIP, FailureKind.UNAVAILABLE, "down"),
        JsonReply(403, {"type": "x/not-a-member"}),
        JsonReply(200, {"unexpected": True}),
    ],
)
async def test_members_that_cannot_be_had_are_a_warning(
    reply: JsonReply | UpstreamFailure,
) -> None:
    got = await view({**healthy(), MEMBERS: reply})
    assert got.members == []
    assert [w.part for w in got.warnings] == ["members"]
    assert got.replies["items"] == [{"id": "r1"}]
