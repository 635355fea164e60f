"""The OpenAPI document describes every content operation: summary, examples, problem answers."""

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from cerchia_chassis.problems import PROBLEM_JSON, PROBLEM_REF
from content.app import create_app
from content.settings import ContentSettings

pytestmark = pytest.mark.unit

API = "/api/v1/"
#: Path parameters naming community content: the caller's rights on it are checked, so an
#: operation on one may answer 404 (unknown, or not visible) and 403 (e.g. banned).
CONTENT_IDS = {
    "community_id",
    "thread_id",
    "reply_id",
    "resource_id",
    "course_id",
    "lesson_id",
}
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The app's OpenAPI document, built without any server (no lifespan runs)."""
    return create_app(ContentSettings()).openapi()


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # Newer FastAPI keeps an included router whole instead of copying its routes.
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(included.routes)


@pytest.fixture(scope="module")
def routes() -> dict[tuple[str, str], APIRoute]:
    app = create_app(ContentSettings())
    return {
        (method.lower(), route.path): route
        for route in _api_routes(app.routes)
        if route.path.startswith(API)
        for method in route.methods
    }


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        if path.startswith(API)
        for method, operation in item.items()
        if method in METHODS
    ]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = document
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def test_the_document_covers_the_whole_api(document: dict[str, Any]) -> None:
    found = operations(document)
    assert len(found) >= 55
    paths = {path for _, path, _ in found}
    for expected in (
        "/api/v1/resources/{resource_id}",
        "/api/v1/lessons/{lesson_id}/publish",
        "/api/v1/conversations/blocks/{user_id}",
    ):
        assert expected in paths
    assert "HTTPValidationError" not in document.get("components", {}).get("schemas", {})


def test_every_operation_has_its_own_summary_and_a_description(
    document: dict[str, Any], routes: dict[tuple[str, str], APIRoute]
) -> None:
    missing = []
    summaries: dict[str, str] = {}
    for method, path, operation in operations(document):
        route = routes[(method, path)]
        # FastAPI makes up a summary from the function name; only a written one counts.
        if not route.summary or not operation.get("description"):
            missing.append(f"{method.upper()} {path}")
        previous = summaries.setdefault(operation["summary"], f"{method.upper()} {path}")
        assert previous == f"{method.upper()} {path}", f"summary shared with {previous}"
    assert missing == []


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    missing = []
    for method, path, operation in operations(document):
        body = operation.get("requestBody")
        if body is None:
            continue
        media = body["content"]["application/json"]
        schema = resolve(document, media["schema"])
        if not (media.get("example") or media.get("examples") or schema.get("examples")):
            missing.append(f"{method.upper()} {path}")
    assert missing == []


def test_every_operation_documents_its_problem_responses(document: dict[str, Any]) -> None:
    problems = []
    for method, path, operation in operations(document):
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        expected = {"401"}  # every operation needs an access token
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add("422")
        if CONTENT_IDS & {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}:
            expected |= {"403", "404"}
        if any(p["name"] == "cursor" for p in operation.get("parameters", [])):
            expected.add("400")  # a cursor the API did not issue
        for status in sorted(expected - set(responses)):
            problems.append(f"{where}: {status} not documented")
        for status, response in responses.items():
            if not status.startswith("4"):
                continue
            content = response.get("content", {})
            schema = content.get(PROBLEM_JSON, {}).get("schema", {})
            if set(content) != {PROBLEM_JSON} or schema != PROBLEM_REF:
                problems.append(f"{where}: {status} is not a problem+json response")
            if not response.get("description"):
                problems.append(f"{where}: {status} has no description")
        successes = [s for s in responses if s.startswith("2")]
        if len(successes) != 1:
            problems.append(f"{where}: {len(successes)} success responses")
        elif successes[0] != "204" and not responses[successes[0]].get("content"):
            problems.append(f"{where}: {successes[0]} has no body schema")
    assert problems == []


def test_posting_operations_document_the_rate_limit(document: dict[str, Any]) -> None:
    posting = {
        ("post", "/api/v1/communities/{community_id}/threads"),
        ("post", "/api/v1/threads/{thread_id}/replies"),
        ("post", "/api/v1/communities/{community_id}/resources"),
        ("post", "/api/v1/conversations"),
        ("post", "/api/v1/conversations/{conversation_id}/messages"),
    }
    for method, path in posting:
        assert "429" in document["paths"][path][method]["responses"], path
