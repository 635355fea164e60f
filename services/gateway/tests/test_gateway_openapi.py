"""Merging the services' OpenAPI documents into the public one."""

from typing import Any

import pytest

from cerchia_chassis.problems import PROBLEM_REF
from gateway.domain.routes import Upstream
from gateway.service.openapi import BEARER, OpenApiCatalog, merge_openapi
from gateway.service.openapi_compact import compact_schema

pytestmark = pytest.mark.unit


def schema_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def operation(operation_id: str, schema: str | None = None) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "ok"}}
    if schema is not None:
        responses["200"]["content"] = {"application/json": {"schema": schema_ref(schema)}}
    return {"operationId": operation_id, "responses": responses}


MEMBERSHIP: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "membership", "version": "1"},
    "paths": {
        "/api/v1/users": {"post": operation("register", "UserResponse")},
        "/api/v1/users/me": {"get": operation("me", "UserResponse")},
        "/api/v1/communities": {"get": operation("list_communities")},
        "/.well-known/jwks.json": {"get": operation("jwks")},
        "/health/ready": {"get": operation("ready")},
        # Not membership's path space: left out even if the service serves it.
        "/api/v1/notifications": {"get": operation("stray")},
    },
    "components": {
        "schemas": {
            "UserResponse": {"type": "object", "properties": {"id": {"type": "string"}}},
            "HTTPValidationError": {"type": "object", "title": "HTTPValidationError"},
        }
    },
    "tags": [{"name": "accounts"}],
}
NOTIFICATIONS: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "notifications", "version": "1"},
    "paths": {
        "/api/v1/notifications": {"get": operation("list", "Page")},
        "/api/v1/unsubscribe": {"post": operation("unsubscribe")},
        "/api/v1/preferences": {"get": operation("me")},
    },
    "components": {
        "schemas": {
            "Page": {"type": "object", "properties": {"user": schema_ref("UserResponse")}},
            # Same name as membership's, another shape: must not overwrite it.
            "UserResponse": {"type": "object", "properties": {"email": {"type": "string"}}},
            "HTTPValidationError": {"type": "object", "title": "HTTPValidationError"},
        }
    },
    "tags": [{"name": "feed"}, {"name": "accounts"}],
}
OWN: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "gateway", "version": "1"},
    "paths": {
        "/api/v1/me": {"get": operation("gateway_me")},
        "/health/live": {"get": operation("live")},
    },
}


def merged() -> dict[str, Any]:
    return merge_openapi(
        OWN,
        {Upstream.MEMBERSHIP: MEMBERSHIP, Upstream.NOTIFICATIONS: NOTIFICATIONS},
        missing=(Upstream.CONTENT, Upstream.EVENTS),
    )


def test_only_public_paths_of_each_service_are_merged() -> None:
    assert set(merged()["paths"]) == {
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/me",
        "/api/v1/communities",
        "/.well-known/jwks.json",
        "/api/v1/notifications",
        "/api/v1/unsubscribe",
        "/api/v1/preferences",
    }
    assert merged()["paths"]["/api/v1/notifications"]["get"]["operationId"] == "list"


def test_bearer_auth_is_declared_per_the_access_table() -> None:
    document = merged()
    scheme = document["components"]["securitySchemes"][BEARER]
    assert scheme == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": scheme["description"],
    }
    paths = document["paths"]
    assert paths["/api/v1/users/me"]["get"]["security"] == [{BEARER: []}]
    assert paths["/api/v1/me"]["get"]["security"] == [{BEARER: []}]
    assert paths["/api/v1/users"]["post"]["security"] == []
    assert paths["/.well-known/jwks.json"]["get"]["security"] == []
    assert paths["/api/v1/unsubscribe"]["post"]["security"] == []
    assert paths["/api/v1/communities"]["get"]["security"] == [{}, {BEARER: []}]
    assert paths["/api/v1/users/me"]["get"]["responses"]["401"] == {
        "$ref": "#/components/responses/Unauthorized"
    }
    assert "401" not in paths["/api/v1/users"]["post"]["responses"]
    # 413, 429, 502-504 from the gateway: one shared default answer, not five per operation.
    assert paths["/api/v1/users"]["post"]["responses"]["default"] == {
        "$ref": "#/components/responses/Problem"
    }
    assert "413" in document["components"]["responses"]["Problem"]["description"]


def test_problem_answers_are_shared_and_refer_to_problem_details() -> None:
    problem = {
        "description": "No such user",
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }
    service = {
        "openapi": "3.1.0",
        "paths": {
            "/api/v1/users/{user_id}": {
                "get": {"responses": {"404": problem, "403": {"description": "Not yours"}}},
                "delete": {"responses": {"404": dict(problem)}},
            }
        },
    }
    document = merge_openapi(OWN, {Upstream.MEMBERSHIP: service})
    item = document["paths"]["/api/v1/users/{user_id}"]
    assert item["get"]["responses"]["404"] == item["delete"]["responses"]["404"]
    name = item["get"]["responses"]["404"]["$ref"].rsplit("/", 1)[1]
    assert document["components"]["responses"][name] == problem
    # An error documented without a body gets the problem body it really has.
    forbidden = item["get"]["responses"]["403"]["$ref"].rsplit("/", 1)[1]
    assert document["components"]["responses"][forbidden]["content"] == problem["content"]
    assert "ProblemDetails" in document["components"]["schemas"]


def test_schemas_are_compacted_without_changing_their_meaning() -> None:
    schema = {
        "title": "Thread",
        "type": "object",
        "properties": {
            "title": {"type": "string", "title": "Title"},
            "note": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}]},
            "kind": {"anyOf": [{"enum": ["a"], "type": "string"}, {"type": "null"}]},
            "x": {"type": "object", "default": {"title": "kept"}},
        },
    }
    assert compact_schema(schema) == {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "note": {"type": ["string", "null"], "maxLength": 5},
            "kind": {"anyOf": [{"enum": ["a"], "type": "string"}, {"type": "null"}]},
            "x": {"type": "object", "default": {"title": "kept"}},
        },
    }


def test_webhooks_are_carried_over_with_their_references() -> None:
    service = {
        "openapi": "3.1.0",
        "paths": {},
        "webhooks": {
            "stream.v1": {"post": {"parameters": [{"$ref": "#/components/parameters/Sig"}]}}
        },
        "components": {"parameters": {"Sig": {"name": "webhook-signature", "in": "header"}}},
    }
    document = merge_openapi(OWN, {Upstream.NOTIFICATIONS: service})
    assert document["webhooks"] == service["webhooks"]
    assert document["components"]["parameters"]["Sig"]["name"] == "webhook-signature"


def test_generated_operation_ids_lose_the_path_they_repeat() -> None:
    service = {
        "openapi": "3.1.0",
        "paths": {
            "/api/v1/events/{event_id}": {
                "get": {"operationId": "read_event_api_v1_events__event_id__get", "responses": {}}
            }
        },
    }
    document = merge_openapi(OWN, {Upstream.EVENTS: service})
    assert document["paths"]["/api/v1/events/{event_id}"]["get"]["operationId"] == "read_event"


def test_same_named_schemas_that_differ_are_kept_apart_and_references_follow() -> None:
    document = merged()
    schemas = document["components"]["schemas"]
    assert schemas["UserResponse"] == MEMBERSHIP["components"]["schemas"]["UserResponse"]
    assert (
        schemas["NotificationsUserResponse"]
        == (NOTIFICATIONS["components"]["schemas"]["UserResponse"])
    )
    assert schemas["Page"]["properties"]["user"] == schema_ref("NotificationsUserResponse")
    assert "NotificationsHTTPValidationError" not in schemas  # identical: shared
    users_me = document["paths"]["/api/v1/users/me"]["get"]["responses"]["200"]
    assert users_me["content"]["application/json"]["schema"] == schema_ref("UserResponse")


def test_operation_ids_stay_unique_and_tags_are_merged() -> None:
    document = merged()
    preferences = document["paths"]["/api/v1/preferences"]["get"]
    assert preferences["operationId"] == "notifications_me"
    assert document["paths"]["/api/v1/users/me"]["get"]["operationId"] == "me"
    assert [t["name"] for t in document["tags"]] == ["accounts", "feed"]


def test_every_reference_resolves() -> None:
    document = merged()

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(document):
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict)


def test_missing_services_are_named() -> None:
    info = merged()["info"]
    assert info["x-services-missing"] == ["content", "events"]
    assert "content, events" in info["description"]


class FlakySource:
    def __init__(self) -> None:
        self.documents: dict[Upstream, dict[str, Any] | None] = {
            Upstream.MEMBERSHIP: MEMBERSHIP,
            Upstream.NOTIFICATIONS: NOTIFICATIONS,
        }
        self.calls = 0

    async def openapi(self, upstream: Upstream) -> dict[str, Any] | None:
        self.calls += 1
        return self.documents.get(upstream)


async def test_the_catalog_caches_and_keeps_a_service_that_went_away() -> None:
    source = FlakySource()
    catalog = OpenApiCatalog(source, OWN, ttl_s=3600, retry_missing_s=0)
    first = await catalog.document()
    assert "/api/v1/users/me" in first["paths"]
    assert source.calls == len(Upstream)

    source.documents[Upstream.MEMBERSHIP] = None  # membership goes down
    second = await catalog.document()  # incomplete last time, so it asks again
    assert source.calls == 2 * len(Upstream)
    assert "/api/v1/users/me" in second["paths"]  # from the last good document
    assert second["info"]["x-services-missing"] == ["content", "events"]


async def test_a_complete_document_is_reused_until_it_expires() -> None:
    source = FlakySource()
    for upstream in Upstream:
        source.documents.setdefault(upstream, {"openapi": "3.1.0", "paths": {}})
    catalog = OpenApiCatalog(source, OWN, ttl_s=3600)
    await catalog.document()
    await catalog.document()
    assert source.calls == len(Upstream)
