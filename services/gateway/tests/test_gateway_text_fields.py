"""The gateway has no request body of its own: it forwards bodies to the services, whose request
schemas refuse control characters. Its own string query parameters refuse them too; found from
the app's routes, so a body or a parameter added later is covered."""

import pytest

from cerchia_chassis.testing import (
    CONTROL_SAMPLES,
    control_character_failures,
    query_control_character_failures,
    request_models,
)
from gateway.app import create_app
from gateway.settings import GatewaySettings

pytestmark = pytest.mark.unit

APP = create_app(GatewaySettings())


def test_the_gateway_parses_no_request_body_of_its_own() -> None:
    assert request_models(APP) == []


@pytest.mark.parametrize("bad", CONTROL_SAMPLES, ids=repr)
def test_every_text_field_and_string_query_parameter_refuses_control_characters(
    bad: str,
) -> None:
    failures = [f for m in request_models(APP) for f in control_character_failures(m, bad)]
    assert failures + query_control_character_failures(APP, bad) == []
