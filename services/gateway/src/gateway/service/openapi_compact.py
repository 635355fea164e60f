"""Rewrites that keep the merged OpenAPI document small without changing what it says."""

from typing import Any

_NULL = {"type": "null"}
# A nullable schema becomes ``type: [..., "null"]`` only when nothing else in it would reject
# null (an enum or const lists the values allowed, null not among them).
_KEEPS_NULL_OUT = frozenset({"enum", "const", "$ref", "anyOf", "oneOf", "allOf"})
#: Keywords whose values are data, not schemas: left as they are.
_DATA = frozenset({"default", "example", "examples", "const", "enum"})


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2 or _NULL not in branches:
        return schema
    (other,) = [branch for branch in branches if branch != _NULL]
    kind = other.get("type") if isinstance(other, dict) else None
    if not isinstance(kind, str) or _KEEPS_NULL_OUT & other.keys():
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    if rest.keys() & other.keys():
        return schema
    return {**other, "type": [kind, "null"], **rest}


def compact_schema(node: Any) -> Any:
    """``node`` without generated ``title`` keywords, nullable ``anyOf`` pairs written as
    type lists (both mean the same in OpenAPI 3.1). A property named ``title`` stays: its
    value is a schema, not a string."""
    if isinstance(node, list):
        return [compact_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: value if key in _DATA else compact_schema(value)
        for key, value in node.items()
        if not (key == "title" and isinstance(value, str))
    }
    return _nullable(out)


def compact_parameters(parameters: list[Any]) -> list[Any]:
    """Parameters whose schema no longer repeats the parameter's own description."""
    out = []
    for parameter in parameters:
        schema = parameter.get("schema") if isinstance(parameter, dict) else None
        if isinstance(schema, dict) and schema.get("description") == parameter.get("description"):
            schema = {k: v for k, v in schema.items() if k != "description"}
            out.append({**parameter, "schema": schema})
        else:
            out.append(parameter)
    return out
