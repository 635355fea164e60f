"""What a post's body becomes: safe HTML, plain text for excerpts and search, and @mentions.

Rendering and sanitizing are the chassis's (``cerchia_chassis.domain.markup``: CommonMark, raw
HTML shown as text, an allow-list, and no remote image embedded — an image becomes a link to it);
content reads the same tokens for its plain text and the handles a post names.
"""

import re
from dataclasses import dataclass

from markdown_it.token import Token

from cerchia_chassis.domain import markup
from content.domain.errors import InvalidContent

MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?)")
EXCERPT_LENGTH = 280


@dataclass(frozen=True)
class Body:
    """A post's Markdown with its sanitized HTML, a plain-text excerpt and the handles it names."""

    markdown: str
    html: str
    text: str
    mentioned_handles: tuple[str, ...]

    def excerpt(self, length: int = EXCERPT_LENGTH) -> str:
        """The plain text cut at a word boundary to about ``length`` characters."""
        return excerpt(self.text, length)


#: What a deleted post's body becomes.
BLANK = Body(markdown="", html="", text="", mentioned_handles=())


def render(markdown: str, *, max_length: int, what: str = "body") -> Body:
    """Parse, render and sanitize ``markdown``; raise InvalidContent if empty or too long."""
    if len(markdown) > max_length:
        raise InvalidContent(
            f"The {what} is {len(markdown)} characters; at most {max_length} are allowed.",
            code="too-long",
        )
    tokens = markup.parse(markdown)
    text = markup.plain(" ".join(_texts(tokens)))
    # An image alone says something (it shows as a link to it): only nothing at all is empty.
    if not text and not _has_image(tokens):
        raise InvalidContent(f"The {what} is empty.", code="empty")
    html = markup.render_tokens(tokens)
    return Body(markdown=markdown, html=html, text=text, mentioned_handles=_mentions(tokens))


def preview(markdown: str, *, max_length: int) -> Body:
    """What ``markdown`` would become if posted, empty allowed (a draft may be blank so far)."""
    if len(markdown) > max_length:
        raise InvalidContent(
            f"The text is {len(markdown)} characters; at most {max_length} are allowed.",
            code="too-long",
        )
    tokens = markup.parse(markdown)
    return Body(
        markdown=markdown,
        html=markup.render_tokens(tokens),
        text=markup.plain(" ".join(_texts(tokens))),
        mentioned_handles=_mentions(tokens),
    )


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """``text`` cut at a word boundary to at most ``length`` characters, with an ellipsis."""
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0] or text[: length - 1]
    return cut.rstrip() + "…"


def _texts(tokens: list[Token]) -> list[str]:
    # Blocks are separated by a space; the pieces of one line are not ("**4**." is "4.").
    out: list[str] = []
    for token in tokens:
        if token.type in {"fence", "code_block"}:
            out.append(token.content)
        pieces: list[str] = []
        for child in token.children or ():
            if child.type in {"text", "code_inline"}:
                pieces.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                pieces.append(" ")
        if pieces:
            out.append("".join(pieces))
    return out


def _mentions(tokens: list[Token]) -> tuple[str, ...]:
    # Only prose mentions count: an @name inside code is an example, not a call.
    seen: dict[str, None] = {}
    for token in tokens:
        for child in token.children or ():
            if child.type == "text":
                for match in MENTION.finditer(child.content):
                    seen.setdefault(match.group(1).lower(), None)
    return tuple(seen)


def _has_image(tokens: list[Token]) -> bool:
    return any(child.type == "image" for token in tokens for child in token.children or ())
