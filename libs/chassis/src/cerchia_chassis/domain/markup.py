"""Markdown written by people, rendered to HTML that is safe to embed anywhere.

CommonMark with raw HTML disabled (it is shown as text), tables and strikethrough; the output is
always passed through nh3 (Ammonia) with an allow-list of tags, attributes and URL schemes
(http, https, mailto; links get ``rel="nofollow noopener noreferrer ugc"``), so a renderer bug
cannot become stored XSS. No remote image is ever embedded: an image in the source becomes a link
to it, so reading a post never tells a third party the reader's address.
"""

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)

_TAGS = frozenset(
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
_ATTRIBUTES = {
    "a": frozenset({"href", "title"}),
    "ol": frozenset({"start"}),
    "th": frozenset({"align"}),
    "td": frozenset({"align"}),
}
_SCHEMES = frozenset({"http", "https", "mailto"})
_WHITESPACE = re.compile(r"\s+")


def _image_as_link(
    renderer: object, tokens: list[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    href = escapeHtml(str(token.attrGet("src") or ""))
    label = escapeHtml(token.content or "image")
    return f'<a href="{href}">{label}</a>'


_PARSER.add_render_rule("image", _image_as_link)


def parse(source: str) -> list[Token]:
    """The Markdown's tokens (for callers that also read its text or mentions)."""
    return _PARSER.parse(source)


def render_tokens(tokens: list[Token]) -> str:
    """Sanitized HTML of parsed tokens."""
    return sanitize(_PARSER.renderer.render(tokens, _PARSER.options, {}))


def render_markdown(source: str) -> str:
    """Sanitized HTML for ``source``."""
    return render_tokens(parse(source))


def sanitize(html: str) -> str:
    """Keep only harmless tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=set(_TAGS),
        attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
        url_schemes=set(_SCHEMES),
        link_rel="nofollow noopener noreferrer ugc",
    )


def plain(text: str) -> str:
    """Collapse the whitespace of a short plain-text field (titles, names)."""
    return _WHITESPACE.sub(" ", text).strip()
