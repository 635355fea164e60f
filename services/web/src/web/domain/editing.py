"""Edits as the forms send them: only the fields that differ from what the platform holds (each
change is announced, so an unchanged field sent again would be news about nothing), and a
moved thread's category spelt as the platform files it."""

from collections.abc import Iterable, Mapping
from typing import Any

#: The resource form's fields and where the platform's resource keeps each one's source.
RESOURCE_FIELDS = {
    "title": "title",
    "kind": "kind",
    "url": "url",
    "description": "description_markdown",
}
#: The course form's fields and their sources.
COURSE_FIELDS = {"title": "title", "summary": "summary_markdown"}
#: The lesson form's fields and their sources.
LESSON_FIELDS = {"title": "title", "body": "body_markdown"}
#: The resource fields a form empties by leaving them blank (the others are required).
CLEARABLE = frozenset({"url", "description"})


def _plain(value: Any) -> str:
    """A stored or posted text as compared: the browser's CRLF line ends as LF, no outer space."""
    return str(value or "").replace("\r\n", "\n").strip()


def _same(name: str, current: Any, wanted: str) -> bool:
    if name == "url":  # the platform normalises an address (a bare host gains its "/")
        return _plain(current).rstrip("/") == wanted.rstrip("/")
    return _plain(current) == wanted


def tag_names(tags: Iterable[str]) -> list[str]:
    """Tags as the platform files them: lower case, words joined by hyphens, no repeats."""
    names: dict[str, None] = {}
    for tag in tags:
        name = "-".join(tag.lower().split())
        if name:
            names.setdefault(name, None)
    return list(names)


def category_name(raw: str) -> str | None:
    """A thread's category as the platform files it; None for no category."""
    names = tag_names([raw])
    return names[0] if names else None


def values_of(post: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, str]:
    """What the platform holds, as the edit form shows it."""
    values = {name: str(post.get(source) or "") for name, source in fields.items()}
    if "tags" in post:
        values["tags"] = ", ".join(str(t) for t in post.get("tags") or [])
    return values


def changes(
    post: Mapping[str, Any],
    values: Mapping[str, str],
    fields: Mapping[str, str],
    *,
    tags: list[str] | None = None,
) -> dict[str, Any]:
    """The fields of the form that differ from ``post``: a blank optional field that had a
    value is sent as null (emptied); ``tags`` (the form's, when it has them) count as changed
    only if the platform would file them differently."""
    body: dict[str, Any] = {}
    for name, source in fields.items():
        wanted = _plain(values.get(name))
        current = post.get(source)
        if _same(name, current, wanted):
            continue
        body[name] = None if not wanted and name in CLEARABLE else wanted
    if tags is not None and tag_names(tags) != list(post.get("tags") or []):
        body["tags"] = tags
    return body
