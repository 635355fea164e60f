"""Backward- and forward-compatibility check between two JSON Schemas of the same contract.

Within a major version producers and consumers are upgraded independently, so a change must keep
old messages valid for new consumers *and* new messages valid for old consumers. That leaves one
kind of change: adding an optional property with a default. Annotations (titles, descriptions,
examples) may change freely; ``$ref`` targets are compared by shape, not by name.
"""

from collections.abc import Mapping
from typing import Any

__all__ = ["incompatibilities"]

JsonSchema = Mapping[str, Any]

#: Keywords that document a schema without constraining instances.
_ANNOTATIONS = frozenset({"title", "description", "examples", "$comment", "deprecated"})
#: Keywords compared structurally (recursively) rather than by value.
_STRUCTURAL = frozenset(
    {
        "$ref",
        "$defs",
        "definitions",
        "type",
        "properties",
        "required",
        "items",
        "prefixItems",
        "additionalProperties",
        "anyOf",
        "oneOf",
        "allOf",
        "discriminator",
    }
)
_BRANCHES = ("anyOf", "oneOf", "allOf")


def incompatibilities(old: JsonSchema, new: JsonSchema) -> list[str]:
    """Why ``new`` is not both backward and forward compatible with ``old`` (empty if it is).

    Both arguments are whole JSON Schema documents as produced by pydantic's
    ``model_json_schema()``; local ``$ref`` pointers are resolved against each document.
    Each reason is prefixed with the dotted path of the property concerned.
    """
    return _Comparison(old, new).run()


class _Comparison:
    """One comparison of two schema documents, carrying their roots for ``$ref`` resolution."""

    def __init__(self, old: JsonSchema, new: JsonSchema) -> None:
        self.old_root = old
        self.new_root = new
        self.reasons: list[str] = []
        self._open: set[tuple[str, str]] = set()

    def run(self) -> list[str]:
        self._node("", self.old_root, self.new_root)
        return self.reasons

    def _fail(self, path: str, message: str) -> None:
        self.reasons.append(f"{path or '<root>'}: {message}")

    def _node(self, path: str, old: JsonSchema, new: JsonSchema) -> None:
        refs = (str(old.get("$ref", "")), str(new.get("$ref", "")))
        if all(refs):
            if refs in self._open:  # recursive models: this pair is already being compared
                return
            self._open.add(refs)
        try:
            self._shape(path, _resolve(self.old_root, old), _resolve(self.new_root, new))
        finally:
            self._open.discard(refs)

    def _shape(self, path: str, old: JsonSchema, new: JsonSchema) -> None:
        old_kind, new_kind = _kind(self.old_root, old), _kind(self.new_root, new)
        if old_kind != new_kind:
            self._fail(path, f"type changed from {old_kind} to {new_kind}")
            return
        self._keywords(path, old, new)
        self._object(path, old, new)
        self._arrays(path, old, new)
        for keyword in _BRANCHES:
            for index, (old_branch, new_branch) in enumerate(
                zip(old.get(keyword, ()), new.get(keyword, ()), strict=False)
            ):
                self._node(f"{path}<{keyword}[{index}]>", old_branch, new_branch)

    def _keywords(self, path: str, old: JsonSchema, new: JsonSchema) -> None:
        """Value keywords: enum, const, format, default and every validation constraint."""
        self._values(path, old, new)
        ignored = _ANNOTATIONS | _STRUCTURAL | {"enum", "const"}
        for keyword in sorted((old.keys() | new.keys()) - ignored):
            before, after = old.get(keyword), new.get(keyword)
            if keyword not in old:
                self._fail(path, f"{keyword} added ({after!r})")
            elif keyword not in new:
                self._fail(path, f"{keyword} removed (was {before!r})")
            elif before != after:
                self._fail(path, f"{keyword} changed from {before!r} to {after!r}")
        old_tag, new_tag = _discriminator(old), _discriminator(new)
        if old_tag != new_tag:
            self._fail(path, f"discriminator changed from {old_tag} to {new_tag}")

    def _values(self, path: str, old: JsonSchema, new: JsonSchema) -> None:
        """``enum`` and ``const`` (a one-value enum, as pydantic renders a one-value Literal)."""
        before, after = _allowed(old), _allowed(new)
        if before == after:
            return
        if before is None:
            self._fail(path, f"values now restricted to {after!r}")
        elif after is None:
            self._fail(path, f"values no longer restricted to {before!r}")
        elif "const" in old and "const" in new:
            self._fail(path, f"const changed from {old['const']!r} to {new['const']!r}")
        else:
            removed = [value for value in before if value not in after]
            added = [value for value in after if value not in before]
            if removed:
                self._fail(path, f"enum narrowed: {removed!r} no longer allowed")
            if added:
                self._fail(path, f"enum widened: {added!r} now allowed (old consumers reject them)")

    def _object(self, path: str, old: JsonSchema, new: JsonSchema) -> None:
        """Properties, required-ness and additional properties of an object schema."""
        old_props: JsonSchema = old.get("properties", {})
        new_props: JsonSchema = new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in old_props:
            if name not in new_props:
                self._fail(_join(path, name), "property removed or renamed")
        for name, schema in new_props.items():
            if name in old_props:
                continue
            if name in new_required:
                self._fail(_join(path, name), "new property is required")
            elif "default" not in _resolve(self.new_root, schema):
                self._fail(_join(path, name), "new property has no default")
        for name in [common for common in old_props if common in new_props]:
            if name in old_required and name not in new_required:
                self._fail(_join(path, name), "required property became optional")
            elif name in new_required and name not in old_required:
                self._fail(_join(path, name), "optional property became required")
            self._node(_join(path, name), old_props[name], new_props[name])
        self._sub_schema(f"{path}<additionalProperties>", old, new, "additionalProperties")

    def _arrays(self, path: str, old: JsonSchema, new: JsonSchema) -> None:
        """Item schemas of arrays and tuples."""
        self._sub_schema(f"{path}[]", old, new, "items")
        old_prefix, new_prefix = old.get("prefixItems", []), new.get("prefixItems", [])
        if len(old_prefix) != len(new_prefix):
            self._fail(path, f"tuple length changed from {len(old_prefix)} to {len(new_prefix)}")
        for index, (before, after) in enumerate(zip(old_prefix, new_prefix, strict=False)):
            self._node(f"{path}[{index}]", before, after)

    def _sub_schema(self, path: str, old: JsonSchema, new: JsonSchema, keyword: str) -> None:
        """A keyword holding one schema (or a boolean) that applies to child instances."""
        before, after = old.get(keyword), new.get(keyword)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            self._node(path, before, after)
        elif before != after:
            self._fail(path, f"{keyword} changed from {_brief(before)} to {_brief(after)}")


def _resolve(root: JsonSchema, node: JsonSchema) -> JsonSchema:
    """Follow local ``$ref`` pointers; sibling keywords of a ``$ref`` override its target."""
    seen: set[str] = set()
    while "$ref" in node:
        ref = str(node["$ref"])
        if ref in seen or not ref.startswith("#"):
            raise ValueError(f"cannot resolve $ref {ref!r}")
        seen.add(ref)
        target: Any = root
        for part in ref[1:].split("/")[1:]:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _kind(root: JsonSchema, node: JsonSchema) -> str:
    """A short description of the shape of ``node``, e.g. ``string``, ``object | null``."""
    node = _resolve(root, node)
    declared = node.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list):
        return " | ".join(str(t) for t in declared)
    for keyword in _BRANCHES:
        if keyword in node:
            kinds = [_kind(root, branch) for branch in node[keyword]]
            return f"{keyword}({', '.join(kinds)})"
    if "properties" in node:
        return "object"
    return "any"


def _allowed(node: JsonSchema) -> list[Any] | None:
    """The values ``enum`` or ``const`` restrict ``node`` to, if any."""
    if "enum" in node:
        return list(node["enum"])
    if "const" in node:
        return [node["const"]]
    return None


def _discriminator(node: JsonSchema) -> tuple[str, list[str]] | None:
    """The discriminator's property and tag values; mapping targets are compared via branches."""
    tag = node.get("discriminator")
    if not isinstance(tag, Mapping):
        return None
    return str(tag.get("propertyName")), sorted(tag.get("mapping", {}))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _brief(value: object) -> str:
    return "a schema" if isinstance(value, Mapping) else repr(value)
