"""Fuzzing the CloudEvent decoders: whatever arrives on a topic, decoding either yields an event
of that topic or raises pydantic's ValidationError, the one error consumers dead-letter on."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cerchia_contracts.catalog import CATALOG, AnyEvent, Topic, all_event_classes, topic_of

pytestmark = pytest.mark.unit

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

EVENTS = all_event_classes()

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def decode(topic: Topic, payload: bytes | str) -> AnyEvent | None:
    """The decoded event, or None when the decoder refused it the way it is meant to."""
    try:
        return topic.decode(payload)
    except ValidationError:
        return None


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else schema


SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "string": st.text(max_size=30),
    "integer": st.integers(min_value=-(2**40), max_value=2**40),
    "number": st.floats(allow_nan=False, allow_infinity=False),
    "boolean": st.booleans(),
    "null": st.none(),
}


def from_schema(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid for the (simple) JSON schemas of the contracts' payloads."""
    schema = _resolve(schema, defs)
    kind = schema.get("type")
    strategy: st.SearchStrategy[Any] = json_values
    if "anyOf" in schema:
        strategy = st.one_of([from_schema(option, defs) for option in schema["anyOf"]])
    elif "enum" in schema:
        strategy = st.sampled_from(schema["enum"])
    elif "const" in schema:
        strategy = st.just(schema["const"])
    elif kind == "string" and schema.get("format") == "date-time":
        strategy = st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat)
    elif kind == "integer" and ("minimum" in schema or "maximum" in schema):
        strategy = st.integers(
            min_value=schema.get("minimum", -(2**40)), max_value=schema.get("maximum", 2**40)
        )
    elif kind in SCALARS:
        strategy = SCALARS[kind]
    elif kind == "array":
        strategy = st.lists(from_schema(schema.get("items", {}), defs), max_size=3)
    elif kind == "object" and "properties" in schema:
        properties = schema["properties"]
        required = set(schema.get("required", ()))
        strategy = st.fixed_dictionaries(
            {name: from_schema(properties[name], defs) for name in required},
            optional={
                name: from_schema(sub, defs)
                for name, sub in properties.items()
                if name not in required
            },
        )
    elif kind == "object":
        strategy = st.dictionaries(st.text(max_size=8), json_values, max_size=3)
    return strategy


def valid_event(event: type[AnyEvent]) -> st.SearchStrategy[dict[str, Any]]:
    """A structured-mode CloudEvent of this class, as the JSON object its producer sends."""
    schema = event.model_json_schema()
    data = from_schema(schema["properties"]["data"], schema.get("$defs", {}))
    return st.fixed_dictionaries(
        {
            "specversion": st.just("1.0"),
            "id": st.uuids().map(str),
            "source": st.just(f"/cerchia/{event.producer}"),
            "type": st.just(event.event_type()),
            "time": st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
            "data": data,
        },
        optional={"subject": st.text(max_size=20) | st.none()},
    )


any_valid_event = st.sampled_from(EVENTS).flatmap(
    lambda event: st.tuples(st.just(event), valid_event(event))
)


@st.composite
def near_valid(draw: st.DrawFn) -> tuple[type[AnyEvent], dict[str, Any]]:
    """A valid event with one thing broken: a field dropped, retyped, or added, anywhere."""
    event, document = draw(any_valid_event)
    container: dict[str, Any] = document
    while True:  # walk down to a random object
        nested = [k for k, v in container.items() if isinstance(v, dict)]
        if not nested or not draw(st.booleans()):
            break
        container = container[draw(st.sampled_from(sorted(nested)))]
    names = sorted(container)
    action = draw(st.sampled_from(["drop", "replace", "add"] if names else ["add"]))
    if action == "drop":
        del container[draw(st.sampled_from(names))]
    elif action == "replace":
        container[draw(st.sampled_from(names))] = draw(json_values)
    else:
        container[draw(st.text(max_size=10))] = draw(json_values)
    return event, document


@FUZZ
@given(topic=st.sampled_from(CATALOG), payload=st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_raise_a_validation_error(topic: Topic, payload: bytes) -> None:
    decode(topic, payload)


@FUZZ
@given(topic=st.sampled_from(CATALOG), document=json_values)
def test_arbitrary_json_decodes_or_raises_a_validation_error(topic: Topic, document: Any) -> None:
    decode(topic, json.dumps(document))


@FUZZ
@given(case=any_valid_event)
def test_valid_events_decode_to_their_class_on_their_topic_only(
    case: tuple[type[AnyEvent], dict[str, Any]],
) -> None:
    event, document = case
    payload = json.dumps(document)
    decoded = decode(topic_of(event), payload)
    assert isinstance(decoded, event), document
    assert decoded.id == document["id"]
    # A valid event of another topic is refused there (the union is closed per topic).
    for other in CATALOG:
        if not other.carries(decoded):
            assert decode(other, payload) is None


@FUZZ
@given(case=near_valid(), noise=st.sampled_from(["", " ", "\n", "\x00", "}"]))
def test_near_valid_events_decode_to_their_class_or_raise_a_validation_error(
    case: tuple[type[AnyEvent], dict[str, Any]], noise: str
) -> None:
    event, document = case
    decoded = decode(topic_of(event), json.dumps(document) + noise)
    assert decoded is None or isinstance(decoded, event)
