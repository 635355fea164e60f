"""Text search without a text index: stemmed, accent-folded terms and BM25 ranking."""

import pytest

from cerchia_chassis.domain.text_search import Candidate, query_terms, rank, term_counts, terms

pytestmark = pytest.mark.unit


def test_terms_are_folded_and_stemmed_in_the_documents_language() -> None:
    assert terms("Città, CITTÀ e città!", "it") == ["citt", "citt", "citt"]
    assert terms("Reviewing reviews", "en") == ["review", "review"]
    assert terms("a I x", "en") == []  # one-letter words say nothing


def test_weighted_counts_and_query_terms_in_every_language() -> None:
    counts = term_counts([("Python reviews", 3), ("We review Python code", 1)], "en")
    assert counts == {"python": 4, "review": 4, "we": 1, "code": 1}
    assert set(query_terms("reviewing")) >= {"review"}
    assert len(query_terms(" ".join(f"word{i}" for i in range(40)))) == 12


def test_rank_puts_rarer_and_heavier_matches_first_and_breaks_ties_by_key() -> None:
    query = ["python", "bologna"]
    candidates = [
        Candidate("a", {"python": 1, "meetup": 5}),
        Candidate("b", {"python": 3, "bologna": 3}),
        Candidate("c", {"bologna": 1, "jazz": 5}),
        Candidate("d", {"python": 1, "meetup": 5}),
        Candidate("e", {"jazz": 2}),
    ]
    ranked = rank(candidates, query, total_documents=10)
    assert [key for key, _ in ranked] == ["b", "c", "a", "d"]  # e matches nothing
    assert ranked[2][1] == ranked[3][1]
    assert rank([], query, total_documents=10) == []
