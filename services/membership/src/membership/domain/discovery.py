"""Finding public communities by words: what is indexed of a community, and the ranked page."""

from cerchia_chassis.domain.cursors import InvalidCursor, decode_optional
from cerchia_chassis.domain.text_search import term_counts
from membership.domain.communities import Details

#: How much a word counts in each field: a name says most, tags next, purpose and audience.
NAME_WEIGHT, TAG_WEIGHT, TEXT_WEIGHT = 3, 2, 1

#: Where a ranked page continues: the last item's score and id.
Rank = tuple[float, str]


def search_counts(details: Details) -> dict[str, int]:
    """The weighted terms a community is found by, stemmed in its own language."""
    return term_counts(
        [
            (details.name, NAME_WEIGHT),
            (" ".join(details.tags), TAG_WEIGHT),
            (details.purpose, TEXT_WEIGHT),
            (details.audience, TEXT_WEIGHT),
        ],
        details.language,
    )


def after_rank(cursor: str | None) -> Rank | None:
    """The position a search cursor names; ``InvalidCursor`` unless it is (score, id)."""
    position = decode_optional(cursor, arity=2)
    if position is None:
        return None
    score, key = position
    if isinstance(score, bool) or not isinstance(score, int | float) or not isinstance(key, str):
        raise InvalidCursor
    return float(score), key


def ranked_after(ranked: list[tuple[str, float]], after: Rank | None) -> list[tuple[str, float]]:
    """The ranked results (best first, ties by id) that come after ``after``."""
    if after is None:
        return ranked
    score, key = after
    return [(k, s) for k, s in ranked if (-s, k) > (-score, key)]
