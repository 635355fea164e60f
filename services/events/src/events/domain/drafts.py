"""What a request may set on a gathering: which fields are required, and their domain values.

Requests name ``Details`` fields. Times are kept in UTC to the second, a venue becomes a
``Venue``, a link a plain string, hosts a tuple; hosts default to the author. An update names
only the fields it changes: null clears an optional field and is refused for a required one.
"""

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from events.domain.errors import InvalidGathering
from events.domain.gatherings import Details, Venue, utc

#: Fields every gathering has: an update may change them, never clear them.
REQUIRED = (
    "title",
    "description",
    "format",
    "starts_at",
    "ends_at",
    "time_zone",
    "host_ids",
    "visibility",
)
_TIMES = frozenset({"starts_at", "ends_at", "rsvp_deadline"})
_FIELDS = tuple(field.name for field in fields(Details))


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "venue":
        return value if isinstance(value, Venue) else Venue(**value)
    if name == "online_link":
        return str(value)
    if name in _TIMES:
        return utc(value)
    if name == "host_ids":
        return tuple(value)
    return value


def drafted(sent: Mapping[str, Any], *, author_id: str) -> Details:
    """New details from the fields a request sent; without hosts, the author hosts."""
    values = {name: _value(name, sent.get(name)) for name in _FIELDS}
    values["host_ids"] = values["host_ids"] or (author_id,)
    return Details(**values)


def changes(sent: Mapping[str, Any]) -> dict[str, Any]:
    """The ``Details`` fields an update sets; raise ``InvalidGathering`` for a cleared required
    field."""
    nulls = [name for name in REQUIRED if name in sent and sent[name] is None]
    if nulls:
        raise InvalidGathering(
            f"These fields cannot be null: {', '.join(nulls)}", code="validation-error"
        )
    return {name: _value(name, value) for name, value in sent.items() if name in _FIELDS}
