"""Every text field of notifications's request bodies and query models, and every string query
parameter, refuses NUL and other control characters (``cerchia_chassis.text``): found from
the app's routes, so a new body, field or parameter is covered."""

import pytest

from cerchia_chassis.testing import (
    CONTROL_SAMPLES,
    control_character_failures,
    query_control_character_failures,
    request_models,
    string_fields,
    text_query_params,
)
from notifications.app import create_app
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
