"""Cerchia's public event contracts: envelope, payloads, topic catalog."""

from cerchia_contracts.envelope import CLOUDEVENTS_CONTENT_TYPE, CloudEvent, EventData
from cerchia_contracts.naming import EVENT_TYPE_PATTERN, event_type, parse_event_type

__all__ = [
    "CLOUDEVENTS_CONTENT_TYPE",
    "EVENT_TYPE_PATTERN",
    "CloudEvent",
    "EventData",
    "event_type",
    "parse_event_type",
]
