"""Markdown to safe HTML, plain-text excerpts and @mentions: what a post's body becomes."""

import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from content.domain.errors import InvalidContent

# CommonMark with raw HTML disabled (it is escaped), plus tables and strikethrough. The
# sanitizer below is the real guarantee: it runs on the output whatever the parser lets through.
_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

_ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "td": {"align"}}
_URL_SCHEMES = frozenset({"http", "https", "mailto"})

MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?)")
_WHITESPACE = re.compile(r"\s+")
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
    tokens = _PARSER.parse(markdown)
    html = sanitize(_PARSER.renderer.render(tokens, _PARSER.options, {}))
    text = _WHITESPACE.sub(" ", " ".join(_texts(tokens))).strip()
    if not text and "<img" not in html:
        raise InvalidContent(f"The {what} is empty.", code="empty")
    return Body(markdown=markdown, html=html, text=text, mentioned_handles=_mentions(tokens))


def sanitize(html: str) -> str:
    """Keep only harmless tags, attributes and URL schemes; links get rel=nofollow noopener."""
    return nh3.clean(
        html,
        tags=set(_ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in _ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="nofollow noopener noreferrer ugc",
    )


def plain(text: str) -> str:
    """Collapse whitespace of a short plain-text field (titles, names)."""
    return _WHITESPACE.sub(" ", text).strip()


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
