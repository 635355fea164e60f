"""Every text field of membership's request bodies and query models, and every string query
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
from membership.app import create_app
from membership.settings import MembershipSettings

pytestmark = pytest.mark.unit

APP = create_app(MembershipSettings(signing_key_file=None, log_json=False))
MODELS = request_models(APP)
#: Passwords an account already has, taken as they are: refusing one would lock its owner out.
EXISTING_PASSWORDS = {
    "LoginRequest.password",
    "EraseRequest.password",
    "PasswordChange.current_password",
}


def test_membership_has_request_models_and_query_parameters_with_text() -> None:
    assert {"CreateCommunity", "ProfileUpdate", "RegisterRequest", "QuestionBody", "LinkModel"} <= {
        model.__name__ for model in MODELS
    }
    assert sum(len(string_fields(model)) for model in MODELS) >= 40
    assert {"q", "tag", "skill", "cursor"} <= {name for _, name, _ in text_query_params(APP)}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("bad", CONTROL_SAMPLES, ids=repr)
def test_every_text_field_refuses_control_characters(model: type, bad: str) -> None:
    assert control_character_failures(model, bad, exempt=EXISTING_PASSWORDS) == []


@pytest.mark.parametrize("bad", CONTROL_SAMPLES, ids=repr)
def test_every_string_query_parameter_refuses_control_characters(bad: str) -> None:
    assert query_control_character_failures(APP, bad) == []
