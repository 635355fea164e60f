"""The OpenAPI document describes every endpoint: summary, request examples, problem answers."""

import pytest

from events.app import create_app
from events.settings import EventsSettings

pytestmark = pytest.mark.unit


def operations() -> list[tuple[str, dict[str, object], dict[str, object]]]:
    document = create_app(EventsSettings()).openapi()
    return [
        (f"{method.upper()} {path}", operation, document)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if path.startswith("/api/")
    ]


def test_every_operation_has_a_summary_and_documents_its_problems() -> None:
    for name, operation, _ in operations():
        assert operation.get("summary"), name
        responses = operation["responses"]
        assert isinstance(responses, dict)
        client_errors = [status for status in responses if str(status).startswith("4")]
        assert client_errors, f"{name} documents no 4xx answer"


def test_every_request_body_has_an_example() -> None:
    for name, operation, document in operations():
        body = operation.get("requestBody")
        if not isinstance(body, dict):
            continue
        media = next(iter(body["content"].values()))
        schema = media.get("schema", {})
        ref = schema.get("$ref", "")
        component = document["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})  # type: ignore[index]
        assert media.get("example") or media.get("examples") or component.get("examples"), name
