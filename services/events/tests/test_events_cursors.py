"""Pagination cursors: whatever a client sends back, garbage is a 400 problem, never a 500."""

from datetime import UTC, datetime

import pytest

from cerchia_chassis.problems import Problem
from events.entrypoints.cursors import decode_key, decode_page, encode_key, encode_page
from events.service.ports import Page

pytestmark = pytest.mark.unit


def test_cursors_round_trip() -> None:
    page = Page(starts_at=datetime(2026, 3, 1, 18, tzinfo=UTC), id="g-1")
    assert decode_page(encode_page(page)) == page
    assert decode_key(encode_key("user-ü")) == "user-ü"
    assert decode_page(None) is None
    assert decode_key(None) is None


@pytest.mark.parametrize("cursor", ["óµ“—Ã¥", "é", "gA", "/w"])
def test_a_garbage_key_cursor_is_a_400_problem(cursor: str) -> None:
    with pytest.raises(Problem) as refused:
        decode_key(cursor)
    assert refused.value.status == 400


@pytest.mark.parametrize("cursor", ["óµ“—Ã¥", "gA", "e30", "bm90IGpzb24", "\x00\x12"])
def test_a_garbage_page_cursor_is_a_400_problem(cursor: str) -> None:
    with pytest.raises(Problem) as refused:
        decode_page(cursor)
    assert refused.value.status == 400
