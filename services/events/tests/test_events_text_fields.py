"""Every text field of events's request bodies and query models, and every string query
parameter, refuses NUL and other control characters (``cerchia_chassis.text``): found from
the app's routes, so a new body, field or parameter is covered."""

from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from cerchia_chassis.problems import PROBLEM_BASE, PROBLEM_JSON
from cerchia_chassis.testing import (
    CONTROL_SAMPLES,
    control_character_failures,
    example_of,
    query_control_character_failures,
    request_models,
    signed_in,
    string_fields,
    text_query_params,
)
from events.app import create_app
from events.entrypoints.schemas_gatherings import GatheringCreate
from events.settings import EventsSettings

pytestmark = pytest.mark.unit

APP = create_app(EventsSettings())
MODELS = request_models(APP)


def test_events_has_request_models_and_query_parameters_with_text() -> None:
    assert {"GatheringCreate", "GatheringUpdate", "VenueIn", "RecapLinkIn", "RuleChange"} <= {
        model.__name__ for model in MODELS
    }
    assert sum(len(string_fields(model)) for model in MODELS) >= 25
    assert {"tz", "cursor"} <= {name for _, name, _ in text_query_params(APP)}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("bad", CONTROL_SAMPLES, ids=repr)
def test_every_text_field_refuses_control_characters(model: type, bad: str) -> None:
    assert control_character_failures(model, bad) == []


@pytest.mark.parametrize("bad", CONTROL_SAMPLES, ids=repr)
def test_every_string_query_parameter_refuses_control_characters(bad: str) -> None:
    assert query_control_character_failures(APP, bad) == []


async def test_a_nul_in_title_is_a_422_problem_naming_the_field() -> None:
    app = create_app(EventsSettings())
    headers = signed_in(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://events") as client:
        response = await client.post(
            "/api/v1/communities/c-1/events",
            json={**example_of(GatheringCreate), "title": "Reading\x00circle"},
            headers=headers,
        )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["type"] == PROBLEM_BASE + "validation-error"
    (error,) = problem["errors"]
    assert (error["loc"], error["type"]) == (["body", "title"], "control_character")
    assert "U+0000" in error["msg"]


def test_a_title_is_stripped_before_it_is_checked_so_a_blank_one_is_too_short() -> None:
    (error,) = errors_of(GatheringCreate, title="   ")
    assert (error["loc"], error["type"]) == (("title",), "string_too_short")
    (error,) = errors_of(GatheringCreate, title=" Reading\tcircle ")
    assert (error["loc"], error["type"]) == (("title",), "control_character")


def errors_of(model: type[BaseModel], **fields: str) -> list[Any]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**example_of(model), **fields})
    return refused.value.errors()
