"""Every text field of content's request schemas refuses NUL and other control characters
(``cerchia_chassis.text``): found from the schemas themselves, so a new field is covered."""

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import content.entrypoints
from cerchia_chassis.text import LINE_FORBIDDEN, TEXT_FORBIDDEN

pytestmark = pytest.mark.unit


def request_models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for module_info in pkgutil.iter_modules(content.entrypoints.__path__):
        module = importlib.import_module(f"content.entrypoints.{module_info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseModel)
                and name.endswith("Request")
                and value.__module__ == module.__name__
            ):
                found[name] = value
    return [found[name] for name in sorted(found)]


def string_fields(model: type[BaseModel]) -> list[tuple[str, bool, bool]]:
    """(field, is a list, is free text) for every field whose JSON schema holds strings."""
    schema = model.model_json_schema()
    fields = []
    for name, prop in schema["properties"].items():
        for option in prop.get("anyOf", [prop]):
            is_list = option.get("type") == "array"
            item = option.get("items", {}) if is_list else option
            if item.get("type") == "string":
                free = "enum" not in item and "format" not in item and "const" not in item
                fields.append((name, is_list, free))
                break
    return fields


def valid(model: type[BaseModel]) -> dict[str, Any]:
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    assert examples, f"{model.__name__} has no example"
    example: dict[str, Any] = dict(examples[0])
    model.model_validate(example)
    return example


def test_content_has_request_models_with_text_fields() -> None:
    names = {model.__name__ for model in request_models()}
    assert {"NewThreadRequest", "NewReplyRequest", "NewConversationRequest"} <= names
    assert sum(len(string_fields(m)) for m in request_models()) >= 30


@pytest.mark.parametrize("model", request_models(), ids=lambda m: m.__name__)
@pytest.mark.parametrize("bad", ["\x00", "\x1b[2J", "\x08", "\x7f"])
def test_every_text_field_refuses_control_characters(model: type[BaseModel], bad: str) -> None:
    for name, is_list, free in string_fields(model):
        text = f"fine{bad}text"
        payload = {**valid(model), name: [text] if is_list else text}
        with pytest.raises(ValidationError) as refused:
            model.model_validate(payload)
        errors = [e for e in refused.value.errors() if e["loc"][0] == name]
        assert errors, f"{model.__name__}.{name} accepted {bad!r}"
        if free:
            assert errors[0]["type"] == "control_character", errors
            assert "U+" in errors[0]["msg"]


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
