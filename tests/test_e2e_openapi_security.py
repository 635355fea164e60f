"""The gateway's merged OpenAPI document is true to behaviour on the real platform: every
operation's declared security matches its answer with no token and with a valid one; errors
refer to one ProblemDetails component; the document is small; its webhooks resolve."""

import json
import re
import uuid
from typing import Any

import httpx
import pytest

from tests.platform import Member, Platform, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

METHODS = ("get", "put", "post", "delete", "patch", "head")
#: Operations that end the caller's session (its token is then refused): each is called with a
#: member of its own, after the others.
SESSION_ENDING = {
    ("post", "/api/v1/auth/logout-all"),
    ("delete", "/api/v1/users/me"),
    ("post", "/api/v1/users/me/erasure"),
}
PROBLEM_REF = "#/components/schemas/ProblemDetails"


def _declared(operation: dict[str, Any]) -> str:
    security = operation.get("security")
    if not security:
        return "none"
    return "optional" if {} in security else "required"


def _path_of(template: str) -> str:
    # Harmless synthetic values: the point is 401 or not, not what is found.
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), template)


async def _status(
    client: httpx.AsyncClient, method: str, path: str, operation: dict[str, Any], token: str | None
) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = b"{}" if "requestBody" in operation else None
    if body is not None:
        headers["Content-Type"] = "application/json"
    # Streamed: event streams answer with their status line and never end.
    async with client.stream(method.upper(), path, headers=headers, content=body) as response:
        return response.status_code


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return sorted(found, key=lambda op: (op[0], op[1]) in SESSION_ENDING)


async def test_every_operation_answers_as_its_declared_security_says(platform: Platform) -> None:
    async with platform.client() as client:
        document = (await client.get("/openapi.json")).json()
        assert not document["info"].get("x-services-missing"), document["info"]
        member: Member = await sign_up(client, platform.smtp, "Secure")
        mismatches: list[str] = []
        operations = _operations(document)
        assert len(operations) > 50, len(operations)
        for method, template, operation in operations:
            declared = _declared(operation)
            path = _path_of(template)
            if (method, template) in SESSION_ENDING:
                member = await sign_up(client, platform.smtp, "Ending")
            anonymous = await _status(client, method, path, operation, None)
            signed_in = await _status(client, method, path, operation, member.access_token)
            expected_anonymous_401 = declared == "required"
            if (anonymous == 401) != expected_anonymous_401 or signed_in == 401:
                mismatches.append(
                    f"{method.upper()} {template}: declared {declared}, "
                    f"no token → {anonymous}, token → {signed_in}"
                )
        assert not mismatches, "\n".join(mismatches)


async def test_errors_refer_to_one_problem_component_and_the_document_is_small(
    platform: Platform,
) -> None:
    async with platform.client() as client:
        raw = (await client.get("/openapi.json")).content
    # About 250 KB with push failure categories, published keys and the other fields of
    # 2026-12; inlined problem schemas would multiply it, which is what this budget catches.
    assert len(raw) < 300 * 1024, len(raw)
    document = json.loads(raw)
    schemas = document["components"]["schemas"]
    assert "ProblemDetails" in schemas
    problem_like = [
        name
        for name, schema in schemas.items()
        if {"type", "title", "status"} <= set(schema.get("properties", {}))
    ]
    assert problem_like == ["ProblemDetails"], problem_like
    responses = document["components"].get("responses", {})

    def problem_schema(response: dict[str, Any]) -> dict[str, Any] | None:
        if "$ref" in response:
            response = responses[response["$ref"].rsplit("/", 1)[1]]
        content = response.get("content", {}).get("application/problem+json")
        return None if content is None else content["schema"]

    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for status, response in operation["responses"].items():
                if not status.startswith(("4", "5")):
                    continue
                schema = problem_schema(response)
                assert schema == {"$ref": PROBLEM_REF}, (method, path, status, response)
                checked += 1
    assert checked > 200, checked


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def _local(document: dict[str, Any], ref: str) -> Any:
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        assert isinstance(target, dict), f"unresolved {ref}"
        assert part in target, f"unresolved {ref}"
        target = target[part]
    return target


async def test_the_webhooks_section_describes_each_payload_and_its_signature(
    platform: Platform,
) -> None:
    async with platform.client() as client:
        document = (await client.get("/openapi.json")).json()
        # Every reference in the document resolves, the webhooks' too.
        for ref in _refs(document):
            if ref.startswith("#/"):
                _local(document, ref)
        webhooks = document["webhooks"]
        assert "membership.communities.v1" in webhooks, list(webhooks)
        event_types: list[str] = []
        for name, item in webhooks.items():
            operation = item["post"]
            headers = {
                _local(document, p["$ref"])["name"] if "$ref" in p else p["name"]
                for p in operation["parameters"]
            }
            assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers, name
            assert "HMAC-SHA256" in operation["description"], name
            assert any(status.startswith("2") for status in operation["responses"]), name
            body = operation["requestBody"]["content"]["application/cloudevents+json"]["schema"]
            for ref in _refs(body):
                # The payload schemas are the contracts' own, served by the gateway.
                served = await client.get(ref)
                assert served.status_code == 200, ref
                event_type = served.json()["properties"]["type"]["const"]
                assert ref.endswith(f"/{event_type}.json"), ref
                event_types.append(event_type)
        assert "cerchia.membership.member_joined.v1" in event_types
        assert "cerchia.content.thread_created.v1" in event_types
        # What must not leave the platform is not offered.
        assert not [t for t in event_types if "invitation_sent" in t or "direct_message" in t]
        assert (await client.get("/schemas/events/nope.v1.json")).status_code == 404
