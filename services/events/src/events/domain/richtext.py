"""Markdown written by members, rendered to HTML that is safe to embed anywhere."""

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the source is shown as text, not interpreted; nh3 then keeps only an allow-list
# of tags and http(s)/mailto links, so a renderer bug cannot become stored XSS.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str) -> str:
    """Sanitized HTML for ``source``; links get rel="nofollow noopener noreferrer"."""
    return nh3.clean(
        _MARKDOWN.render(source),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
