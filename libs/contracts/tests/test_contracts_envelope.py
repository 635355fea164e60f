"""The CloudEvents envelope, the naming rule and the topic catalog."""

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from pydantic import Field, ValidationError

from cerchia_contracts import CloudEvent, event_type, parse_event_type
from cerchia_contracts.catalog import CATALOG, MEMBERSHIP_USERS, Topic, all_event_classes, topic_of
from cerchia_contracts.events.membership import UserRegistered, UserRegisteredV1

pytestmark = pytest.mark.unit

BAD_TYPES = [
    "membership.user_registered.v1",
    "cerchia.membership.user_registered",
    "cerchia.membership.user_registered.v0",
    "cerchia.membership.user_registered.1",
    "cerchia.Membership.user_registered.v1",
    "cerchia.membership.UserRegistered.v1",
    "cerchia.membership.user-registered.v1",
    "cerchia.membership.user_registered.v1.extra",
    "acme.membership.user_registered.v1",
]


def _registered(**overrides: Any) -> UserRegisteredV1:
    data = UserRegistered(user_id="u1", email="ada@example.org", display_name="Ada", locale="it")
    return UserRegisteredV1.new(subject="u1", data=data, **overrides)


def test_event_type_builds_and_parses() -> None:
    value = event_type("membership", "user_registered", 1)
    assert value == "cerchia.membership.user_registered.v1"
    assert parse_event_type(value) == ("membership", "user_registered", 1)
    assert parse_event_type("cerchia.a1.b_2.v12").major == 12


@pytest.mark.parametrize(
    ("service", "name", "major"),
    [("Membership", "joined", 1), ("membership", "member-joined", 1), ("m", "joined", 0)],
)
def test_event_type_rejects_bad_parts(service: str, name: str, major: int) -> None:
    with pytest.raises(ValueError, match="invalid event type"):
        event_type(service, name, major)


@pytest.mark.parametrize("bad", BAD_TYPES)
def test_naming_rejects_bad_types(bad: str) -> None:
    with pytest.raises(ValueError, match="does not follow"):
        parse_event_type(bad)


@pytest.mark.parametrize("bad", BAD_TYPES)
def test_envelope_pattern_rejects_bad_types(bad: str) -> None:
    event = _registered().model_dump(mode="json")
    with pytest.raises(ValidationError, match="type"):
        CloudEvent[UserRegistered].model_validate({**event, "type": bad})


def test_event_class_with_bad_type_cannot_be_defined() -> None:
    with pytest.raises(ValueError, match="does not follow"):

        class Bad(CloudEvent[UserRegistered]):
            type: Literal["cerchia.membership.UserRegistered.v1"] = Field(
                default="cerchia.membership.UserRegistered.v1", description="Event type."
            )


def test_event_class_knows_type_and_producer() -> None:
    assert UserRegisteredV1.event_type() == "cerchia.membership.user_registered.v1"
    assert UserRegisteredV1.producer == "membership"


def test_new_fills_id_source_and_time() -> None:
    before = datetime.now(UTC)
    event = _registered()
    assert uuid.UUID(event.id)
    assert event.source == "/cerchia/membership"
    assert event.type == "cerchia.membership.user_registered.v1"
    assert event.specversion == "1.0"
    assert event.datacontenttype == "application/json"
    assert event.subject == "u1"
    assert event.time.utcoffset() == timedelta(0)
    assert before <= event.time <= datetime.now(UTC)
    assert _registered().id != event.id


def test_new_keeps_a_given_time() -> None:
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert _registered(time=when).time == when


def test_naive_time_is_rejected() -> None:
    event = _registered().model_dump(mode="json")
    with pytest.raises(ValidationError, match="time"):
        UserRegisteredV1.model_validate({**event, "time": "2025-01-02T03:04:05"})


def test_events_are_frozen() -> None:
    event = _registered()
    with pytest.raises(ValidationError, match="frozen"):
        event.subject = "u2"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        event.data.email = "eve@example.org"  # type: ignore[misc]


def test_unknown_fields_are_ignored() -> None:
    event = _registered()
    wire = event.model_dump(mode="json")
    wire["partitionkey"] = "u1"
    wire["data"]["nickname"] = "ada"
    decoded = UserRegisteredV1.model_validate(wire)
    assert decoded == event
    assert "partitionkey" not in decoded.model_dump()
    assert "nickname" not in decoded.data.model_dump()


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every (model, property, schema) in a JSON Schema, its $defs included."""
    models = [schema, *schema.get("$defs", {}).values()]
    for model in models:
        for name, prop in model.get("properties", {}).items():
            yield model.get("title", "?"), name, prop


@pytest.mark.parametrize("event", all_event_classes(), ids=lambda e: e.event_type())
def test_every_field_has_a_description(event: type[CloudEvent[Any]]) -> None:
    schema = event.model_json_schema()
    undocumented = [f"{m}.{n}" for m, n, p in _properties(schema) if not p.get("description")]
    assert undocumented == []
    assert schema.get("description")


def test_every_catalog_event_belongs_to_its_topic_producer() -> None:
    for candidate in CATALOG:
        assert candidate.events
        for event in candidate.events:
            assert event.producer == candidate.producer
            assert parse_event_type(event.event_type()).service == candidate.producer


def test_every_event_type_is_in_exactly_one_topic() -> None:
    counts = Counter(t for candidate in CATALOG for t in candidate.event_types)
    assert counts
    assert [t for t, n in counts.items() if n != 1] == []
    assert len({t.name for t in CATALOG}) == len(CATALOG)
    for event in all_event_classes():
        assert event.event_type() in topic_of(event).event_types


def test_topic_rejects_foreign_events() -> None:
    with pytest.raises(ValueError, match="not produced by notifications"):
        Topic(
            name="notifications.x.v1",
            producer="notifications",
            events=(UserRegisteredV1,),
            key="k",
            description="d",
        )


@pytest.mark.parametrize("as_bytes", [True, False])
def test_decode_round_trips(as_bytes: bool) -> None:
    event = _registered()
    wire = event.model_dump_json()
    decoded = MEMBERSHIP_USERS.decode(wire.encode() if as_bytes else wire)
    assert isinstance(decoded, UserRegisteredV1)
    assert decoded == event
    assert MEMBERSHIP_USERS.carries(decoded)
    assert topic_of(decoded) is MEMBERSHIP_USERS


def test_decode_rejects_unknown_type() -> None:
    wire = _registered().model_dump(mode="json")
    wire["type"] = "cerchia.membership.never_existed.v1"
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        MEMBERSHIP_USERS.decode(json.dumps(wire))


def test_decode_rejects_missing_type() -> None:
    wire = _registered().model_dump(mode="json")
    del wire["type"]
    with pytest.raises(ValidationError):
        MEMBERSHIP_USERS.decode(json.dumps(wire))
