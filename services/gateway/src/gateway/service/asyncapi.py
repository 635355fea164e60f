"""The AsyncAPI 3.0 document of Cerchia's public topics, generated from the contracts' catalog."""

import re
from collections.abc import Iterable
from typing import Any

from pydantic.json_schema import models_json_schema

from cerchia_contracts.catalog import Topic
from cerchia_contracts.envelope import CLOUDEVENTS_CONTENT_TYPE, CloudEvent

Document = dict[str, Any]

KAFKA_BINDING_VERSION = "0.5.0"
_SCHEMA_REF = "#/components/schemas/{model}"

_DESCRIPTION = (
    "What integrators may read of Cerchia on Kafka: the public topics, which mirror what anyone "
    "can see of public communities and carry no personal data (docs/integrators.md). Every "
    "record is a CloudEvents 1.0 event in structured JSON mode (`content-type: "
    "application/cloudevents+json`, no `ce_*` headers), so the CloudEvents SDKs read it as it "
    "is. The record key is the event's `subject` (the aggregate whose order matters), so events "
    "of one aggregate arrive in order. W3C `traceparent` travels in the record headers. "
    "Consumers should deduplicate on the event `id` (delivery is at least once) and ignore "
    "fields they do not know: within a major version producers only add optional fields.\n\n"
    "Connecting: SASL_SSL with SCRAM-SHA-512, with the credentials an operator issued "
    "(`python -m cerchia_chassis.integrators create <name>`); read-only, on the public topics, "
    "with consumer groups whose names start with the integrator's user name."
)

#: How integrators authenticate (AsyncAPI 3.0 security scheme).
SECURITY_SCHEMES: Document = {
    "integratorScram": {
        "type": "scramSha512",
        "description": "SASL/SCRAM-SHA-512 over TLS (security.protocol SASL_SSL). The user "
        "name is `integrator-<name>`; its ACLs allow reading the public topics with consumer "
        "groups named `integrator-<name>...`, and nothing else.",
    }
}


def _channel_id(topic: Topic) -> str:
    # membership.users.v1 -> membershipUsersV1: ids are used in $ref pointers.
    head, *rest = re.split(r"[._-]", topic.name)
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


#: The record headers every message carries.
_HEADERS: Document = {
    "type": "object",
    "properties": {
        "content-type": {"type": "string", "const": CLOUDEVENTS_CONTENT_TYPE},
        "traceparent": {"type": "string", "description": "W3C trace context of the change."},
    },
}


def _message(event: type[CloudEvent[Any]], topic: Topic) -> Document:
    """An event type as an AsyncAPI message, its payload the contract's JSON Schema."""
    name = event.__name__
    return {
        "name": event.event_type(),
        "title": name,
        "summary": (event.__doc__ or "").strip().splitlines()[0] if event.__doc__ else "",
        "contentType": CLOUDEVENTS_CONTENT_TYPE,
        "headers": _HEADERS,
        "payload": {"$ref": _SCHEMA_REF.format(model=name)},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": topic.key},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _channel(topic: Topic) -> Document:
    """A topic as an AsyncAPI channel, listing its messages."""
    return {
        "address": topic.name,
        "title": topic.name,
        "description": f"{topic.description}\n\nKey: {topic.key}. Dead letters: `{topic.dlq}`.",
        "messages": {
            event.__name__: {"$ref": f"#/components/messages/{event.__name__}"}
            for event in topic.events
        },
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(topic: Topic, channel_id: str) -> tuple[str, Document]:
    """The producing service's ``send`` operation on a topic, with its id."""
    operation_id = f"{topic.producer}Publishes{channel_id[:1].upper()}{channel_id[1:]}"
    return operation_id, {
        "action": "send",
        "channel": {"$ref": f"#/channels/{channel_id}"},
        "title": f"{topic.producer} publishes on {topic.name}",
        "summary": topic.description,
        "messages": [
            {"$ref": f"#/channels/{channel_id}/messages/{event.__name__}"} for event in topic.events
        ],
    }


def asyncapi_document(
    topics: Iterable[Topic],
    *,
    version: str,
    kafka_host: str,
    title: str = "Cerchia events",
) -> Document:
    """Channels (topics), their messages (event types) with JSON Schemas from the contracts,
    and one ``send`` operation per topic by its producing service."""
    topics = list(topics)
    events = [event for topic in topics for event in topic.events]
    _, definitions = models_json_schema(
        [(event, "serialization") for event in events], ref_template=_SCHEMA_REF
    )
    messages = {
        event.__name__: _message(event, topic) for topic in topics for event in topic.events
    }
    channels = {_channel_id(topic): _channel(topic) for topic in topics}
    operations = dict(_operation(topic, _channel_id(topic)) for topic in topics)
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": version, "description": _DESCRIPTION},
        "defaultContentType": CLOUDEVENTS_CONTENT_TYPE,
        "servers": {
            "kafka": {
                "host": kafka_host,
                "protocol": "kafka-secure",
                "description": "The platform's Kafka cluster (TLS; SASL/SCRAM-SHA-512).",
                "security": [{"$ref": "#/components/securitySchemes/integratorScram"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
