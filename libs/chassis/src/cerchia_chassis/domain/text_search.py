"""Full-text search without a text index: stemmed terms per language and BM25 ranking.

SecantusDB has no text indexes, so a service stores each searchable document's weighted term
counts (``term_counts``) and its distinct terms under a multikey index, fetches the documents
sharing a term with the query (``query_terms``), and ranks them here (``rank``). Pure: no I/O.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_LANGUAGES = {"it": "italian", "en": "english"}
#: The languages a query is stemmed in when the documents' languages differ.
LANGUAGES = tuple(_LANGUAGES)
MAX_QUERY_TERMS = 12
# BM25's usual constants.
_K1 = 1.2
_B = 0.75


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_LANGUAGES.get(language, "english"))


def terms(text: str, language: str) -> list[str]:
    """Lower-cased, accent-folded, stemmed words of ``text`` (one per occurrence)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    words = _WORD.findall("".join(c for c in folded if not unicodedata.combining(c)))
    stemmer = _stemmer(language)
    return [str(stemmer.stemWord(w)) for w in words if len(w) > 1]


def term_counts(fields: Iterable[tuple[str, int]], language: str) -> dict[str, int]:
    """Weighted term frequencies of a document made of ``(text, weight)`` fields."""
    counts: Counter[str] = Counter()
    for text, weight in fields:
        for term in terms(text, language):
            counts[term] += weight
    return dict(counts)


def query_terms(query: str, languages: Iterable[str] = LANGUAGES) -> list[str]:
    """The distinct terms of a query stemmed in each of ``languages``, capped so a query stays
    cheap."""
    found: dict[str, None] = {}
    for language in languages:
        found.update(dict.fromkeys(terms(query, language)))
    return list(found)[:MAX_QUERY_TERMS]


@dataclass(frozen=True)
class Candidate:
    """A document that matched at least one query term."""

    key: str
    counts: Mapping[str, int]

    @property
    def length(self) -> int:
        """The document's weighted length."""
        return sum(self.counts.values())


def rank(
    candidates: list[Candidate], query: list[str], *, total_documents: int
) -> list[tuple[str, float]]:
    """BM25 scores of the candidates (every document sharing a term with the query), best
    first, ties by key."""
    if not candidates:
        return []
    average = sum(c.length for c in candidates) / len(candidates) or 1.0
    frequency = {term: sum(1 for c in candidates if term in c.counts) for term in query}
    total = max(total_documents, len(candidates))
    scored: list[tuple[str, float]] = []
    for candidate in candidates:
        score = 0.0
        for term in query:
            tf = candidate.counts.get(term, 0)
            if not tf:
                continue
            df = frequency[term]
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            score += idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * candidate.length / average))
        if score > 0:
            scored.append((candidate.key, round(score, 9)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored
