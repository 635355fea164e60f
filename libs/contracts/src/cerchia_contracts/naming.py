"""The event-type naming rule: ``cerchia.<service>.<event_name>.v<major>``."""

import re
from typing import NamedTuple

EVENT_TYPE_PATTERN = r"^cerchia\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$"
_EVENT_TYPE = re.compile(EVENT_TYPE_PATTERN)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class EventTypeParts(NamedTuple):
    """The pieces of an event type."""

    service: str
    name: str
    major: int


def event_type(service: str, name: str, major: int) -> str:
    """Build an event type, e.g. ``event_type("membership", "user_registered", 1)``."""
    if not _NAME.match(service) or not _NAME.match(name) or major < 1:
        raise ValueError(f"invalid event type parts: {service!r}, {name!r}, {major!r}")
    return f"cerchia.{service}.{name}.v{major}"


def parse_event_type(value: str) -> EventTypeParts:
    """Split an event type into service, name and major version; reject a malformed one."""
    if not _EVENT_TYPE.match(value):
        raise ValueError(f"{value!r} does not follow cerchia.<service>.<event_name>.v<major>")
    _, service, name, version = value.split(".")
    return EventTypeParts(service, name, int(version[1:]))
