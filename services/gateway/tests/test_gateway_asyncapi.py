"""The AsyncAPI 3.0 document generated from the contracts' catalog."""

from typing import Any

import pytest

from cerchia_contracts.catalog import CATALOG, CONTENT_PUBLIC, MEMBERSHIP_TOKENS, MEMBERSHIP_USERS
from cerchia_contracts.envelope import CLOUDEVENTS_CONTENT_TYPE
from gateway.container import Container
from gateway.service.asyncapi import asyncapi_document
from gateway.settings import GatewaySettings

pytestmark = pytest.mark.unit


def resolve(document: dict[str, Any], ref: str) -> Any:
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    public = [t for t in CATALOG if not t.internal]
    return asyncapi_document(public, version="1.2.3", kafka_host="kafka:9092")


def test_it_is_an_asyncapi_3_document_whose_references_all_resolve(
    document: dict[str, Any],
) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["version"] == "1.2.3"
    assert document["defaultContentType"] == CLOUDEVENTS_CONTENT_TYPE
    server = document["servers"]["kafka"]
    assert (server["host"], server["protocol"]) == ("kafka:9092", "kafka-secure")
    (scheme,) = server["security"]
    assert resolve(document, scheme["$ref"])["type"] == "scramSha512"
    found = refs(document)
    assert found
    for ref in found:
        assert isinstance(resolve(document, ref), dict), ref


def test_every_public_topic_is_a_channel_with_its_event_types(document: dict[str, Any]) -> None:
    addresses = {c["address"]: c for c in document["channels"].values()}
    assert set(addresses) == {"membership.public.v1", "content.public.v1", "events.public.v1"}
    content = addresses[CONTENT_PUBLIC.name]
    assert content["bindings"]["kafka"]["partitions"] == CONTENT_PUBLIC.partitions
    assert CONTENT_PUBLIC.description in content["description"]
    types = {resolve(document, ref["$ref"])["name"] for ref in content["messages"].values()}
    assert types == set(CONTENT_PUBLIC.event_types)


def test_one_send_operation_per_topic_by_its_producer(document: dict[str, Any]) -> None:
    operations = document["operations"]
    assert len(operations) == len(document["channels"])
    for operation in operations.values():
        assert operation["action"] == "send"
        channel = resolve(document, operation["channel"]["$ref"])
        assert len(operation["messages"]) == len(channel["messages"])


def test_messages_carry_the_contracts_schemas_and_descriptions(document: dict[str, Any]) -> None:
    message = document["components"]["messages"]["PublicThreadCreatedV1"]
    assert message["name"] == "cerchia.content.public_thread_created.v1"
    assert message["contentType"] == CLOUDEVENTS_CONTENT_TYPE
    assert message["bindings"]["kafka"]["key"]["description"] == CONTENT_PUBLIC.key
    envelope = resolve(document, message["payload"]["$ref"])
    assert envelope["properties"]["type"]["const"] == "cerchia.content.public_thread_created.v1"
    data = resolve(document, envelope["properties"]["data"]["$ref"])
    assert data["description"] == "A thread was opened in a public community."
    assert all("description" in field for field in data["properties"].values())


async def test_the_gateway_leaves_internal_topics_out() -> None:
    container = Container.build(GatewaySettings(), own_openapi={"paths": {}})
    await container.aclose()
    addresses = {c["address"] for c in container.asyncapi["channels"].values()}
    assert MEMBERSHIP_TOKENS.name not in addresses
    assert MEMBERSHIP_USERS.name not in addresses  # personal data: internal
    assert CONTENT_PUBLIC.name in addresses
    assert not any(
        t in container.asyncapi["components"]["messages"]
        for t in (e.__name__ for e in MEMBERSHIP_TOKENS.events)
    )
