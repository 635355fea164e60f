"""The reasons the platform gives for suggesting someone, read back into what they say so the
page can tell them in the reader's language (the API words them in English)."""

import re
from dataclasses import dataclass, field
from typing import Literal

ReasonKind = Literal["offer_matches_ask", "ask_matches_offer", "shared_interest", "other"]

#: The platform's sentences (membership's ``domain/introductions.py``), each with its kind.
_PATTERNS: tuple[tuple[ReasonKind, re.Pattern[str]], ...] = (
    (
        "offer_matches_ask",
        re.compile(r'Offers "(?P<offer>.*)", which matches your ask "(?P<ask>.*)"\.'),
    ),
    (
        "ask_matches_offer",
        re.compile(r'Is looking for "(?P<ask>.*)", which you offer \("(?P<offer>.*)"\)\.'),
    ),
    ("shared_interest", re.compile(r'Shares your interest in "(?P<interest>.*)"\.')),
)


@dataclass(frozen=True)
class Reason:
    """One reason: its kind and the words it quotes (an unknown one keeps its text)."""

    kind: ReasonKind
    values: dict[str, str] = field(default_factory=dict)


def reason_of(text: str) -> Reason:
    """What a reason says; a sentence this client does not know is kept as it is."""
    stripped = text.strip()
    for kind, pattern in _PATTERNS:
        matched = pattern.fullmatch(stripped)
        if matched:
            return Reason(kind, {k: v.strip() for k, v in matched.groupdict().items()})
    return Reason("other", {"text": stripped})
