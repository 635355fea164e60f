"""The chassis's shared pieces: cursors, Markdown, rate limits, fakes, error statuses."""

from datetime import UTC, datetime

import pytest

from cerchia_chassis.domain import errors
from cerchia_chassis.domain.cursors import InvalidCursor, decode_cursor, encode_cursor, page_of
from cerchia_chassis.domain.markup import render_markdown
from cerchia_chassis.rate_limits import RateLimiter
from cerchia_chassis.service_app import STATUSES, status_of
from cerchia_chassis.testing import FakeInbox, FakeOutbox, FakeTransactions, MemoryStore
from cerchia_contracts.events.membership import UserErased, UserErasedV1

pytestmark = pytest.mark.unit


def test_a_cursor_round_trips_and_anything_else_is_invalid() -> None:
    position = (datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "id-9", 3, None)
    assert decode_cursor(encode_cursor(position), arity=4) == position
    for garbage in ("zzz", "", "W10", encode_cursor(("a",)), "e30", "bm90IGpzb24"):
        with pytest.raises(InvalidCursor):
            decode_cursor(garbage, arity=4)
    page = page_of([1, 2, 3], 2, lambda n: (n,))
    assert page.items == [1, 2]
    assert decode_cursor(page.next_cursor or "", arity=1) == (2,)


def test_markdown_is_sanitized_and_embeds_no_remote_image() -> None:
    html = render_markdown(
        "![pixel](https://tracker.example/p.gif) <script>x()</script> [go](javascript:x) **b**"
    )
    assert "<img" not in html
    assert '<a href="https://tracker.example/p.gif"' in html
    assert "<script>" not in html
    assert "javascript:" not in html.split("[go]")[0]
    assert "<strong>b</strong>" in html


async def test_a_limit_refuses_beyond_its_window_with_a_retry_after() -> None:
    limiter = RateLimiter()
    assert (await limiter.hit("2/minute", "ip", "1")).allowed
    assert (await limiter.hit("2/minute", "ip", "1")).allowed
    refused = await limiter.hit("2/minute", "ip", "1")
    assert not refused.allowed
    assert 1 <= int(refused.retry_after_header) <= 60
    assert (await limiter.hit("2/minute", "ip", "2")).allowed
    # All of several keys, or none.
    assert (await limiter.hit_all("1/minute", [("a",), ("b",)])).allowed
    assert not (await limiter.hit_all("1/minute", [("c",), ("a",)])).allowed
    assert (await limiter.hit_all("1/minute", [("c",)])).allowed  # "c" was not taken above


class Store(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.things: dict[str, int] = {}


async def test_a_refused_unit_of_work_writes_nothing_not_even_its_events() -> None:
    store = Store()
    transactions, outbox = FakeTransactions(store), FakeOutbox(store)
    event = UserErasedV1.new(subject="u", data=UserErased(user_id="u"))

    async def refused(session: object) -> None:
        store.things["x"] = 1
        await outbox.add(session, event)
        raise errors.Conflict("no")

    with pytest.raises(errors.Conflict):
        await transactions.run(refused)
    assert (store.things, store.events) == ({}, [])

    inbox = FakeInbox(store, transactions)

    async def fails(session: object) -> None:
        store.things["y"] = 2
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await inbox.process_once(consumer="c", event_id="e", effect=fails)
    assert store.processed == set()

    async def works(session: object) -> None:
        store.things["y"] = 2

    assert await inbox.process_once(consumer="c", event_id="e", effect=works)
    assert not await inbox.process_once(consumer="c", event_id="e", effect=works)
    assert store.things == {"y": 2}


def test_each_kind_of_refusal_has_one_status() -> None:
    class ThreadLocked(errors.Conflict):
        pass

    class Odd(errors.DomainError):
        pass

    assert status_of(ThreadLocked("x"), STATUSES) == 409
    assert status_of(errors.Invalid("x"), STATUSES) == 422
    assert status_of(Odd("x"), STATUSES) == 400
    assert status_of(Odd("x"), {**STATUSES, Odd: 418}) == 418
