"""The OpenAPI document describes every membership endpoint: summary, examples, problem answers."""

import importlib
import pkgutil
from typing import Any, get_args

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from cerchia_chassis.auth import CurrentUser
from membership import entrypoints
from membership.app import create_app
from membership.settings import MembershipSettings

pytestmark = pytest.mark.unit

PROBLEM_JSON = "application/problem+json"
METHODS = {"get", "put", "post", "patch", "delete"}
#: Chassis probes, not part of the membership API.
CHASSIS_PATHS = {"/health/live", "/health/ready"}
#: The key set takes no input and needs no token: it has no client error to document.
NO_CLIENT_ERRORS = {("get", "/.well-known/jwks.json")}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    # No lifespan runs: building the app and its document connects to nothing.
    return create_app(MembershipSettings(signing_key_file=None, log_json=False))


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        if path not in CHASSIS_PATHS
        for method, operation in item.items()
        if method in METHODS
    ]


def schema_of(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def has_example(document: dict[str, Any], media: dict[str, Any]) -> bool:
    if media.get("example") is not None or media.get("examples"):
        return True
    return bool(schema_of(document, media.get("schema", {})).get("examples"))


def test_the_document_lists_the_membership_api(document: dict[str, Any]) -> None:
    found = {(method, path) for method, path, _ in operations(document)}
    assert len(found) >= 50
    for expected in [
        ("post", "/api/v1/auth/logout-all"),
        ("post", "/api/v1/communities/{community_id}/bans/{user_id}/lift"),
        ("post", "/api/v1/communities/{community_id}/applications/{application_id}/withdraw"),
    ]:
        assert expected in found


def test_every_operation_has_a_summary(document: dict[str, Any]) -> None:
    missing = [f"{m} {p}" for m, p, op in operations(document) if not op.get("summary")]
    assert missing == []


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    missing = [
        f"{m} {p}"
        for m, p, op in operations(document)
        if "requestBody" in op
        and not all(has_example(document, x) for x in op["requestBody"]["content"].values())
    ]
    assert missing == []


def test_every_json_answer_has_an_example(document: dict[str, Any]) -> None:
    missing = [
        f"{m} {p} {status}"
        for m, p, op in operations(document)
        for status, response in op["responses"].items()
        if status.startswith("2")
        for media_type, media in response.get("content", {}).items()
        if media_type == "application/json" and not has_example(document, media)
    ]
    assert missing == []


def test_every_operation_documents_its_client_errors_as_problems(
    document: dict[str, Any],
) -> None:
    without = [
        f"{m} {p}"
        for m, p, op in operations(document)
        if (m, p) not in NO_CLIENT_ERRORS
        and not any(status.startswith("4") for status in op["responses"])
    ]
    assert without == []
    # FastAPI's own 422 body (HTTPValidationError) is not what the service answers.
    not_problems = [
        f"{m} {p} {status}"
        for m, p, op in operations(document)
        for status, response in op["responses"].items()
        if status.startswith("4") and set(response.get("content", {})) != {PROBLEM_JSON}
    ]
    assert not_problems == []


def _examples(model: type[BaseModel]) -> list[Any]:
    extra = model.model_config.get("json_schema_extra")
    return list(extra.get("examples", [])) if isinstance(extra, dict) else []


def _routes() -> list[APIRoute]:
    routes: list[APIRoute] = []
    for module in pkgutil.iter_modules(entrypoints.__path__):
        router = getattr(
            importlib.import_module(f"{entrypoints.__name__}.{module.name}"), "router", None
        )
        if isinstance(router, APIRouter):
            routes += [r for r in router.routes if isinstance(r, APIRoute)]
    return routes


def test_the_examples_are_valid_bodies() -> None:
    checked = 0
    for route in _routes():
        models = [route.response_model]
        if route.body_field is not None:
            models.append(route.body_field.field_info.annotation)
        for model in models:
            if isinstance(model, type) and issubclass(model, BaseModel):
                for example in _examples(model):
                    model.model_validate(example)
                    checked += 1
    assert checked >= 40


def test_every_authenticated_route_documents_401(document: dict[str, Any]) -> None:
    authenticate = get_args(CurrentUser)[1].dependency
    authenticated = [
        (method.lower(), route.path)
        for route in _routes()
        if any(d.call is authenticate for d in route.dependant.dependencies)
        for method in route.methods
    ]
    assert len(authenticated) >= 45
    missing = [
        f"{m} {p}" for m, p in authenticated if "401" not in document["paths"][p][m]["responses"]
    ]
    assert missing == []
