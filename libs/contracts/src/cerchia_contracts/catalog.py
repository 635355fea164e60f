"""The topic catalog: every public topic, who produces it, its events and its partition key."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from cerchia_contracts.envelope import CloudEvent
from cerchia_contracts.events.membership import UserRegisteredV1

DLQ_SUFFIX = ".dlq"

AnyEvent = CloudEvent[Any]


@dataclass(frozen=True)
class Topic:
    """A Kafka topic: its name, producer, the event types it carries and how it is keyed."""

    name: str
    producer: str
    events: tuple[type[AnyEvent], ...]
    key: str
    description: str
    partitions: int = 6
    _by_type: Mapping[str, type[AnyEvent]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_type = {event.event_type(): event for event in self.events}
        for event_type, event in by_type.items():
            if event.producer != self.producer:
                raise ValueError(f"{event_type} is not produced by {self.producer}")
        object.__setattr__(self, "_by_type", by_type)

    @property
    def dlq(self) -> str:
        """The dead-letter topic of this topic."""
        return self.name + DLQ_SUFFIX

    @property
    def event_types(self) -> tuple[str, ...]:
        """The CloudEvents types this topic carries."""
        return tuple(self._by_type)

    @cached_property
    def adapter(self) -> TypeAdapter[AnyEvent]:
        """Validator of this topic's discriminated union of events (on ``type``)."""
        union = Union[self.events]  # type: ignore[name-defined]  # noqa: UP007
        return TypeAdapter(Annotated[union, Field(discriminator="type")])

    def decode(self, payload: bytes | str) -> AnyEvent:
        """Parse a structured-mode CloudEvent of this topic; raise ValidationError otherwise."""
        return self.adapter.validate_json(payload)

    def carries(self, event: AnyEvent) -> bool:
        """Whether this topic carries the event's type."""
        return event.type in self._by_type


MEMBERSHIP_USERS = Topic(
    name="membership.users.v1",
    producer="membership",
    events=(UserRegisteredV1,),
    key="user id (the event subject)",
    description="Lifecycle of user accounts: registration, verification, erasure.",
)

CATALOG: tuple[Topic, ...] = (MEMBERSHIP_USERS,)


def topic(name: str) -> Topic:
    """Look a topic up by name."""
    for candidate in CATALOG:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def topic_of(event: AnyEvent | type[AnyEvent]) -> Topic:
    """The one topic that carries an event type."""
    event_type = event.type if isinstance(event, CloudEvent) else event.event_type()
    for candidate in CATALOG:
        if event_type in candidate.event_types:
            return candidate
    raise KeyError(event_type)


def all_event_classes() -> tuple[type[AnyEvent], ...]:
    """Every event class in the catalog, in catalog order."""
    return tuple(event for t in CATALOG for event in t.events)
