"""Every text field of content's request bodies, and every string query parameter, refuses NUL
and other control characters (``cerchia_chassis.text``): found from the app's routes, so a new
body, field or parameter is covered."""

import pytest
from pydantic import ValidationError

from cerchia_chassis.testing import (
    CONTROL_SAMPLES,
    control_character_failures,
    query_control_character_failures,
    request_models,
    string_fields,
    text_query_params,
)
from cerchia_chassis.text import LINE_FORBIDDEN, TEXT_FORBIDDEN
from content.app import create_app
from content.settings import ContentSettings

pytestmark = pytest.mark.unit

APP = create_app(ContentSettings())
MODELS = request_models(APP)


def test_content_has_request_models_and_query_parameters_with_text() -> None:
    names = {model.__name__ for model in MODELS}
    assert {"NewThreadRequest", "NewReplyRequest", "NewConversationRequest"} <= names
    assert sum(len(string_fields(model)) for model in MODELS) >= 30
    assert {"q", "tag", "cursor"} <= {name for _, name, _ in text_query_params(APP)}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("bad", CONTROL_SAMPLES, ids=repr)
def test_every_text_field_refuses_control_characters(model: type, bad: str) -> None:
    assert control_character_failures(model, bad) == []


@pytest.mark.parametrize("bad", CONTROL_SAMPLES, ids=repr)
def test_every_string_query_parameter_refuses_control_characters(bad: str) -> None:
    assert query_control_character_failures(APP, bad) == []


def test_bodies_keep_tabs_and_line_breaks_but_one_line_fields_do_not() -> None:
    from content.entrypoints.schemas_discussions import NewThreadRequest

    NewThreadRequest.model_validate({"title": "Plan", "body": "a\tb\r\nc\n"})
    with pytest.raises(ValidationError) as refused:
        NewThreadRequest.model_validate({"title": "Two\nlines", "body": "ok"})
    assert refused.value.errors()[0]["loc"] == ("title",)
    assert LINE_FORBIDDEN.search("\t")
    assert not TEXT_FORBIDDEN.search("\t\n\r")
    # Printable Unicode, including emoji and right-to-left text, is text.
    NewThreadRequest.model_validate({"title": "Ciao 👋 שלום", "body": "ok"})
