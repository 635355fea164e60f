"""CloudEvents 1.0 structured-mode envelope shared by every Cerchia event."""

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from cerchia_contracts.naming import EVENT_TYPE_PATTERN, parse_event_type

CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"


class EventData(BaseModel):
    """Base of every event payload: frozen, and tolerant of fields added later by producers."""

    model_config = ConfigDict(frozen=True, extra="ignore")


DataT = TypeVar("DataT", bound=EventData)


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 event in structured JSON mode; subclasses fix ``type`` and ``data``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    #: The service that produces this event type, checked against ``type``.
    producer: ClassVar[str] = ""

    specversion: Literal["1.0"] = Field(default="1.0", description="CloudEvents spec version.")
    id: str = Field(
        min_length=1,
        max_length=64,
        description="Unique id of this event (UUID); consumers deduplicate on it.",
    )
    source: str = Field(
        pattern=r"^/cerchia/[a-z][a-z0-9_-]*$",
        description="The producing service, as /cerchia/<service>.",
    )
    type: str = Field(
        pattern=EVENT_TYPE_PATTERN,
        description="Event type, cerchia.<service>.<event_name>.v<major>.",
    )
    time: AwareDatetime = Field(description="When the change happened (UTC).")
    subject: str | None = Field(default=None, description="Id of the aggregate the event is about.")
    datacontenttype: Literal["application/json"] = Field(
        default="application/json", description="Media type of `data`."
    )
    data: DataT = Field(description="The event payload.")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotation = cls.__annotations__.get("type")
        if annotation is None:
            return
        (literal,) = get_args(annotation)
        parts = parse_event_type(literal)
        cls.producer = parts.service

    @classmethod
    def event_type(cls) -> str:
        """The fixed ``type`` of this event class."""
        default = cls.model_fields["type"].default
        if not isinstance(default, str):
            raise TypeError(f"{cls.__name__} does not fix its event type")
        return default

    @classmethod
    def new(cls, *, subject: str, data: DataT, time: datetime | None = None) -> Self:
        """Create an event with a fresh id, the producer as source and the current UTC time."""
        return cls(
            id=str(uuid.uuid4()),
            source=f"/cerchia/{cls.producer}",
            type=cls.event_type(),
            time=time or datetime.now(UTC),
            subject=subject,
            data=data,
        )
