"""Discussions as the pages show them: replies as a tree, reactions in a fixed order."""

from dataclasses import dataclass, field
from typing import Any

#: The platform's fixed reactions, in the order the pages show them, with their symbols.
REACTIONS: tuple[tuple[str, str], ...] = (
    ("like", "👍"),
    ("love", "❤️"),
    ("insightful", "💡"),
    ("thanks", "🙏"),
    ("laugh", "😄"),
    ("celebrate", "🎉"),
)
REACTION_NAMES = frozenset(name for name, _ in REACTIONS)

#: Deeper answers are shown at this depth, under the last shown ancestor: a phone stays readable.
MAX_DEPTH = 6


@dataclass
class ReplyNode:
    """A reply and the replies to it."""

    reply: dict[str, Any]
    depth: int = 0
    children: list["ReplyNode"] = field(default_factory=list)


def reply_tree(replies: list[dict[str, Any]]) -> list[ReplyNode]:
    """Replies (in posting order) arranged under their parents; an orphan (its parent not on
    the page) is shown at the top level rather than lost."""
    nodes = {str(r["id"]): ReplyNode(r) for r in replies}
    roots: list[ReplyNode] = []
    for reply in replies:
        node = nodes[str(reply["id"])]
        parent = nodes.get(str(reply.get("parent_id") or ""))
        if parent is None or parent is node:
            roots.append(node)
            continue
        node.depth = min(parent.depth + 1, MAX_DEPTH)
        parent.children.append(node)
    return roots


def with_mention(body: str, handle: str) -> str:
    """The body naming ``@handle`` (picked without JavaScript), unless it already does."""
    handle = handle.strip().lstrip("@")
    if not handle or f"@{handle}".lower() in body.lower():
        return body
    return f"@{handle} {body}" if body else f"@{handle} "
