"""The ``webhooks`` section of the OpenAPI document: what an integrator's endpoint receives
from each stream, and how to check it came from Cerchia."""

from typing import Any

from fastapi import FastAPI

from cerchia_contracts.catalog import Topic
from notifications.domain.rules import FANOUT_TOPICS
from notifications.domain.webhooks import webhook_event_types

#: Where the gateway serves each event type's JSON Schema (``<type>.json``).
EVENT_SCHEMAS_PATH = "/schemas/events/"
CONTENT_TYPE = "application/cloudevents+json"

SIGNATURE_SCHEME = (
    "Signed per the Standard Webhooks specification: the signed content is "
    "`{webhook-id}.{webhook-timestamp}.{body}` (the raw body bytes), the key is the base64 "
    "part of the endpoint's secret after `whsec_`, the signature HMAC-SHA256, sent base64 as "
    "`v1,<signature>`. Reject a timestamp more than 5 minutes from your clock, and "
    "deduplicate on `webhook-id` (stable across retries). Answer 2xx within 10 s; 408, 429, "
    "5xx and network errors are retried with backoff, other answers are not."
)
_PARAMETERS: dict[str, dict[str, Any]] = {
    "WebhookId": {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "Delivery id: the same on every retry of one delivery.",
        "schema": {"type": "string"},
    },
    "WebhookTimestamp": {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "When this attempt was signed, in Unix seconds.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "WebhookSignature": {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": SIGNATURE_SCHEME,
        "schema": {
            "type": "string",
            "examples": ["v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="],
        },
    },
}


def _webhook(topic: Topic, event_types: list[str]) -> dict[str, Any]:
    listed = ", ".join(f"`{event_type}`" for event_type in event_types)
    return {
        "post": {
            "summary": f"Events of {topic.name}",
            "description": (
                f"{topic.description}\n\nOne CloudEvent per request: {listed} (a subscription's "
                "`event_types` narrows the set). The body is the event as the platform "
                "published it; the schema of each type is served at "
                f"`{EVENT_SCHEMAS_PATH}<type>.json`.\n\n"
                "Signature: HMAC-SHA256 per Standard Webhooks; see `webhook-signature`."
            ),
            "operationId": f"webhook_{topic.name.replace('.', '_')}",
            "tags": ["webhooks"],
            "parameters": [{"$ref": f"#/components/parameters/{name}"} for name in _PARAMETERS],
            "requestBody": {
                "required": True,
                "content": {
                    CONTENT_TYPE: {
                        "schema": {
                            "oneOf": [
                                {"$ref": f"{EVENT_SCHEMAS_PATH}{event_type}.json"}
                                for event_type in event_types
                            ]
                        }
                    }
                },
            },
            "responses": {"2XX": {"description": "Received; any other answer is a failure."}},
        }
    }


def webhooks_section() -> dict[str, Any]:
    """One webhook per stream that reaches integrators' endpoints."""
    section = {}
    for topic in FANOUT_TOPICS:
        event_types = webhook_event_types(topic)
        if event_types:
            section[topic.name] = _webhook(topic, event_types)
    return section


def document_webhooks(app: FastAPI) -> None:
    """Add the ``webhooks`` section (and the headers it uses) to the app's OpenAPI document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None and "webhooks" in app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schema["webhooks"] = webhooks_section()
        schema.setdefault("components", {}).setdefault("parameters", {}).update(_PARAMETERS)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
