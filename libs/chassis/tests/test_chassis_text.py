"""The text types of request schemas: control characters are refused, text is not."""

from typing import Annotated, Literal

import pytest
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field, ValidationError

from cerchia_chassis.testing import (
    CONTROL_SAMPLES,
    control_character_failures,
    query_control_character_failures,
    request_models,
    text_query_params,
)
from cerchia_chassis.text import Line, NewSecret, Text

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


class Password(BaseModel):
    new: NewSecret


def test_a_new_secret_refuses_control_characters_and_stays_a_secret() -> None:
    chosen = Password(new="long passphrase ☕")
    assert chosen.new.get_secret_value() == "long passphrase ☕"
    assert "passphrase" not in repr(chosen)
    with pytest.raises(ValidationError) as refused:
        Password(new="long\x00passphrase")
    (error,) = refused.value.errors()
    assert (error["loc"], error["type"]) == (("new",), "control_character")


# The checks every service's test of its request schemas runs (``cerchia_chassis.testing``).


class Venue(BaseModel):
    name: Line
    address: str  # forgotten: the check must say so


class Gathering(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"title": "Circle", "venue": None}]}}

    title: Line = Field(min_length=3, max_length=20)
    kind: Literal["online", "in_person"] = "online"
    venue: Venue | None = None


def checked_app() -> FastAPI:
    app = FastAPI()
    router = APIRouter()

    @router.post("/gatherings")
    async def create(body: Gathering, q: Annotated[str | None, Query()] = None) -> None:
        """A body with a nested model, and a query parameter that forgot ``Line``."""

    @router.get("/search")
    async def search(q: Annotated[Line, Query(min_length=12)], page: int = 1) -> None:
        """A query parameter that uses ``Line`` (the minimum length is honoured by the check)."""

    app.include_router(router, prefix="/api")
    return app


def test_the_checks_find_nested_request_models_and_string_query_parameters() -> None:
    app = checked_app()
    assert request_models(app) == [Gathering, Venue]
    assert [(path, name) for path, name, _ in text_query_params(app)] == [
        ("/api/gatherings", "q"),
        ("/api/search", "q"),
    ]


@pytest.mark.parametrize("bad", CONTROL_SAMPLES)
def test_the_checks_name_each_field_or_parameter_that_accepts_a_control_character(
    bad: str,
) -> None:
    app = checked_app()
    assert control_character_failures(Gathering, bad) == []
    (failure,) = control_character_failures(Venue, bad)
    assert failure.startswith("Venue.address")
    assert control_character_failures(Venue, bad, exempt={"Venue.address"}) == []
    (query,) = query_control_character_failures(app, bad)
    assert query.startswith("/api/gatherings ?q")


def test_the_checks_refuse_a_model_whose_example_is_invalid() -> None:
    class Broken(BaseModel):
        model_config = {"json_schema_extra": {"examples": [{"title": "x"}]}}
        title: Line = Field(min_length=3)

    (failure,) = control_character_failures(Broken, "\x00")
    assert "example is invalid" in failure
