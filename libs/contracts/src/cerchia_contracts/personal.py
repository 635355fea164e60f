"""Which fields of an event are a person's personal data, and whose.

A field annotated ``Annotated[T, PersonalData("user_id")]`` holds personal data of the person
whose id is in the data field ``user_id``. On internal topics such a field travels encrypted with
that person's key (``cerchia_chassis.personal_data``): when the person is erased their keys are
destroyed, and every copy of the field left on a topic, a dead-letter topic or an outbox can no
longer be read (crypto-shredding). Only top-level fields of an event's ``data`` are marked; the
subject field is a top-level ``str`` of the same ``data``.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel

from cerchia_contracts.envelope import CloudEvent

__all__ = ["PersonalData", "personal_fields"]


@dataclass(frozen=True)
class PersonalData:
    """Marks a data field as personal data of the person named by the field ``subject``."""

    subject: str


@cache
def personal_fields(event: type[CloudEvent[Any]]) -> dict[str, str]:
    """The event's personal data fields, each with the name of its subject field."""
    data = event.model_fields["data"].annotation
    if not (isinstance(data, type) and issubclass(data, BaseModel)):
        return {}
    marked: dict[str, str] = {}
    for name, info in data.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, PersonalData):
                if meta.subject not in data.model_fields:
                    raise TypeError(f"{data.__name__}.{name}: no subject field {meta.subject!r}")
                marked[name] = meta.subject
    return marked
