"""The Markdown preview: the same renderer and sanitiser as a post, nothing stored."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from content.domain import markup
from content.domain.errors import InvalidContent

PREVIEW = "/api/v1/markdown/preview"


@pytest.mark.unit
def test_a_preview_is_what_a_post_would_show() -> None:
    text = "**Bold** <script>alert(1)</script> idea, @Ada?"
    assert markup.preview(text, max_length=100).html == markup.render(text, max_length=100).html
    assert markup.preview(text, max_length=100).mentioned_handles == ("ada",)
    assert markup.preview("", max_length=10).html == ""
    with pytest.raises(InvalidContent):
        markup.preview("x" * 11, max_length=10)


@pytest.mark.integration
async def test_the_preview_endpoint_sanitises_and_needs_a_signed_in_caller(
    new_community: Callable[[], Any],
) -> None:
    circle = new_community()
    client = circle.client
    anonymous = await client.post(PREVIEW, json={"markdown": "hi"})
    assert anonymous.status_code == 401
    someone = str(uuid.uuid4())
    answer = await client.post(
        PREVIEW,
        json={"markdown": "*hi* <img src=x onerror=alert(1)> @bruno"},
        headers=circle.headers(someone),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "<em>hi</em>" in body["html"]
    assert "<img" not in body["html"]
    assert body["mentions"] == ["bruno"]
    too_long = await client.post(
        PREVIEW, json={"markdown": "x" * 50_001}, headers=circle.headers(someone)
    )
    assert too_long.status_code == 422
    unknown = await client.post(
        PREVIEW, json={"markdown": "x", "html": "<b>"}, headers=circle.headers(someone)
    )
    assert unknown.status_code == 422
