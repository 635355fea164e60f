"""The text types of request schemas: control characters are refused, text is not."""

import pytest
from pydantic import BaseModel, ValidationError

from cerchia_chassis.text import Line, Text

pytestmark = pytest.mark.unit


class Post(BaseModel):
    title: Line
    body: Text


@pytest.mark.parametrize("char", [chr(c) for c in [*range(0x20), 0x7F]])
def test_a_line_refuses_every_control_character(char: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Post(title=f"a{char}b", body="ok")
    (error,) = refused.value.errors()
    assert (error["loc"], error["type"]) == (("title",), "control_character")
    assert f"U+{ord(char):04X} at position 1" in error["msg"]


@pytest.mark.parametrize("char", [chr(c) for c in [*range(0x20), 0x7F] if c not in (9, 10, 13)])
def test_text_refuses_control_characters_other_than_tab_and_line_breaks(char: str) -> None:
    with pytest.raises(ValidationError):
        Post(title="ok", body=f"a{char}b")


def test_text_keeps_tabs_line_breaks_and_every_printable_character() -> None:
    post = Post(title="Café ☕ «ciao» שלום", body="one\ttwo\r\nthree\n\u2028four")
    assert post.body == "one\ttwo\r\nthree\n\u2028four"
