"""The OpenAPI document describes every notifications operation: summary, examples, problems."""

from typing import Any

import pytest
from fastapi.routing import APIRoute

from cerchia_chassis.problems import PROBLEM_JSON, PROBLEM_REF
from notifications.app import create_app
from notifications.entrypoints import (
    http_deliveries,
    http_feed,
    http_preferences,
    http_push,
    http_unsubscribe,
    http_webhooks,
)
from notifications.settings import NotificationsSettings

pytestmark = pytest.mark.unit

API = "/api/v1/"
METHODS = {"get", "put", "post", "patch", "delete"}
ROUTERS = (http_deliveries, http_feed, http_preferences, http_push, http_unsubscribe, http_webhooks)
#: Operations that take no access token: the browser's key, and one-click unsubscribe (mail
#: clients POST it without credentials; the signed token names the person).
PUBLIC = {
    ("get", "/api/v1/push/vapid-public-key"),
    ("get", "/api/v1/unsubscribe"),
    ("post", "/api/v1/unsubscribe"),
}
#: Path parameters naming something owned by someone: another's is reported as absent.
OWNED_IDS = {"webhook_id", "notification_id", "key"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The app's OpenAPI document, built without any server (no lifespan runs)."""
    return create_app(NotificationsSettings()).openapi()


@pytest.fixture(scope="module")
def routes() -> dict[tuple[str, str], APIRoute]:
    return {
        (method.lower(), route.path): route
        for module in ROUTERS
        for route in module.router.routes
        if isinstance(route, APIRoute)
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
    paths = {(method, path) for method, path, _ in operations(document)}
    for expected in (
        ("get", "/api/v1/notifications"),
        ("get", "/api/v1/notifications/deliveries"),
        ("get", "/api/v1/notifications/deliveries/mine"),
        ("post", "/api/v1/notifications/deliveries/{key}/retry"),
        ("put", "/api/v1/preferences"),
        ("post", "/api/v1/push/subscriptions"),
        ("post", "/api/v1/webhooks/{webhook_id}/replay"),
        ("post", "/api/v1/webhooks/{webhook_id}/enable"),
        ("get", "/api/v1/webhooks/{webhook_id}/deliveries"),
        *PUBLIC,
    ):
        assert expected in paths
    assert len(paths) >= 20
    assert "HTTPValidationError" not in document.get("components", {}).get("schemas", {})


def test_every_operation_has_its_own_summary_and_a_description(
    document: dict[str, Any], routes: dict[tuple[str, str], APIRoute]
) -> None:
    missing = []
    summaries: dict[str, str] = {}
    for method, path, operation in operations(document):
        where = f"{method.upper()} {path}"
        # FastAPI makes up a summary from the function name; only a written one counts.
        if not routes[(method, path)].summary or not operation.get("description"):
            missing.append(where)
        previous = summaries.setdefault(operation["summary"], where)
        assert previous == where, f"summary shared with {previous}"
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
        expected = set() if (method, path) in PUBLIC else {"401"}
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add("422")
        if OWNED_IDS & {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}:
            expected.add("404")
        if not expected and not any(s.startswith(("4", "5")) for s in responses):
            problems.append(f"{where}: no problem response documented")
        for status in sorted(expected - set(responses)):
            problems.append(f"{where}: {status} not documented")
        for status, response in responses.items():
            if not status.startswith(("4", "5")):
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


def test_operations_endpoints_say_who_may_call_them(document: dict[str, Any]) -> None:
    log = document["paths"]["/api/v1/notifications/deliveries"]["get"]
    retry = document["paths"]["/api/v1/notifications/deliveries/{key}/retry"]["post"]
    for operation in (log, retry):
        assert "403" in operation["responses"]
        assert "operations" in operation["responses"]["403"]["description"]
    assert "409" in retry["responses"]
    statuses = {p["name"]: p for p in log["parameters"]}
    assert {"status", "event_id", "recipient_id", "cursor", "limit"} <= set(statuses)
