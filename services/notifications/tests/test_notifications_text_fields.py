"""Every text field of notifications's request bodies and query models, and every string query
parameter, refuses NUL and other control characters (``cerchia_chassis.text``): found from
the app's routes, so a new body, field or parameter is covered."""

import httpx
import pytest

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
from notifications.app import create_app
from notifications.entrypoints.schemas import WebhookIn
from notifications.settings import NotificationsSettings

pytestmark = pytest.mark.unit

APP = create_app(NotificationsSettings())
MODELS = request_models(APP)


def test_notifications_has_request_models_and_query_parameters_with_text() -> None:
    assert {"WebhookIn", "WebhookReplayIn", "PushSubscriptionIn", "PageQuery", "DeliveryQuery"} <= {
        model.__name__ for model in MODELS
    }
    assert sum(len(string_fields(model)) for model in MODELS) >= 8
    assert {"community_id", "token"} <= {name for _, name, _ in text_query_params(APP)}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("bad", CONTROL_SAMPLES, ids=repr)
def test_every_text_field_refuses_control_characters(model: type, bad: str) -> None:
    assert control_character_failures(model, bad) == []


@pytest.mark.parametrize("bad", CONTROL_SAMPLES, ids=repr)
def test_every_string_query_parameter_refuses_control_characters(bad: str) -> None:
    assert query_control_character_failures(APP, bad) == []


async def test_a_nul_in_community_id_is_a_422_problem_naming_the_field() -> None:
    app = create_app(NotificationsSettings())
    headers = signed_in(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as client:
        response = await client.post(
            "/api/v1/webhooks",
            json={**example_of(WebhookIn), "community_id": "c\x001"},
            headers=headers,
        )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["type"] == PROBLEM_BASE + "validation-error"
    (error,) = problem["errors"]
    assert (error["loc"], error["type"]) == (["body", "community_id"], "control_character")
    assert "U+0000" in error["msg"]
