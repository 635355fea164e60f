"""Full-text search terms and ranking: stemmed tokens per language, BM25 over the candidates."""

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_LANGUAGES = {"it": "italian", "en": "english"}
TITLE_WEIGHT = 3
# BM25's usual constants.
_K1 = 1.2
_B = 0.75
MAX_QUERY_TERMS = 12


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_LANGUAGES.get(language, "english"))


def terms(text: str, language: str) -> list[str]:
    """Lower-cased, accent-folded, stemmed words of ``text`` (one per occurrence)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    words = _WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))
    stemmer = _stemmer(language)
    return [str(stemmer.stemWord(w)) for w in words if len(w) > 1]


def term_counts(*, title: str, body: str, language: str) -> dict[str, int]:
    """Weighted term frequencies of a document: title words count TITLE_WEIGHT times."""
    counts: Counter[str] = Counter(terms(body, language))
    for term in terms(title, language):
        counts[term] += TITLE_WEIGHT
    return dict(counts)


def query_terms(query: str, language: str) -> list[str]:
    """The distinct terms of a query, in order, capped so a query stays cheap."""
    return list(dict.fromkeys(terms(query, language)))[:MAX_QUERY_TERMS]


@dataclass(frozen=True)
class Candidate:
    """A document that matched at least one query term."""

    key: str
    counts: dict[str, int]
    length: int


def rank(
    candidates: list[Candidate],
    query: list[str],
    *,
    document_frequency: dict[str, int],
    total_documents: int,
) -> list[tuple[str, float]]:
    """BM25 scores of the candidates, best first."""
    if not candidates:
        return []
    average = sum(c.length for c in candidates) / len(candidates) or 1.0
    scored: list[tuple[str, float]] = []
    for candidate in candidates:
        score = 0.0
        for term in query:
            tf = candidate.counts.get(term, 0)
            if not tf:
                continue
            df = document_frequency.get(term, 0)
            idf = math.log(1 + (total_documents - df + 0.5) / (df + 0.5))
            norm = tf + _K1 * (1 - _B + _B * candidate.length / average)
            score += idf * tf * (_K1 + 1) / norm
        if score > 0:
            scored.append((candidate.key, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored
