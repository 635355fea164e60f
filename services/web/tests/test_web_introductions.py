"""The reasons of suggested introductions: the platform's English sentences are read back into
what they say and told in the reader's language."""

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from fastapi import Request

from web.adapters.assets import Assets
from web.adapters.pages import Pages
from web.adapters.translations import load_translations
from web.domain.introductions import Reason, reason_of
from web.entrypoints.people import reason_sentence

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "web"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            'Offers "Python mentoring", which matches your ask "learn Python".',
            Reason("offer_matches_ask", {"offer": "Python mentoring", "ask": "learn Python"}),
        ),
        (
            'Is looking for "a loom", which you offer ("old looms").',
            Reason("ask_matches_offer", {"ask": "a loom", "offer": "old looms"}),
        ),
        (
            'Shares your interest in "weaving".',
            Reason("shared_interest", {"interest": "weaving"}),
        ),
        (
            # Quotes inside what people wrote stay theirs.
            'Offers "the "best" tea", which matches your ask "tea".',
            Reason("offer_matches_ask", {"offer": 'the "best" tea', "ask": "tea"}),
        ),
        (
            "Lives nearby.",  # a reason this client does not know yet is shown as it is
            Reason("other", {"text": "Lives nearby."}),
        ),
    ],
)
def test_a_reason_is_read_back_into_what_it_says(sentence: str, expected: Reason) -> None:
    assert reason_of(sentence) == expected


def _request(language: str) -> Request:
    pages = Pages(Assets({}), load_translations(PACKAGE / "locales"))
    pages.use_language("en")  # the request's language is chosen by the translation itself
    app: Any = SimpleNamespace(state=SimpleNamespace(container=SimpleNamespace(pages=pages)))
    return cast(Request, SimpleNamespace(app=app, state=SimpleNamespace(language=language)))


@pytest.mark.parametrize(
    ("language", "sentence", "expected"),
    [
        (
            "en",
            'Offers "Python mentoring", which matches your ask "learn Python".',
            "Offers “Python mentoring”, which matches what you look for: “learn Python”.",
        ),
        (
            "it",
            'Offers "Python mentoring", which matches your ask "learn Python".',
            "Offre «Python mentoring», che corrisponde a ciò che cerchi: «learn Python».",
        ),
        (
            "it",
            'Is looking for "a loom", which you offer ("old looms").',
            "Cerca «a loom», che tu offri («old looms»).",
        ),
        (
            "it",
            'Shares your interest in "100% wool".',
            "Condivide il tuo interesse per «100% wool».",
        ),
        ("it", "Lives nearby.", "Lives nearby."),
    ],
)
def test_a_reason_is_told_in_the_readers_language(
    language: str, sentence: str, expected: str
) -> None:
    assert reason_sentence(_request(language), sentence) == expected
