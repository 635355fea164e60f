"""Writes by outsiders reveal no more of a non-public community than reads do."""

from datetime import UTC, datetime

import pytest

from cerchia_chassis.domain.community import CommunityState, MemberState, Standing
from cerchia_chassis.domain.errors import Forbidden, NotFound
from content.domain.access import Viewer

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def viewer(visibility: str, standing: Standing | None, *, archived: bool = False) -> Viewer:
    community = CommunityState("c", "Circle", visibility, "en", archived, 1)
    membership = None if standing is None else MemberState("c", "u", "member", standing, 1, NOW)
    return Viewer("u", community, membership)


@pytest.mark.parametrize("visibility", ["private", "unlisted"])
@pytest.mark.parametrize("standing", [None, Standing.LEFT])
@pytest.mark.parametrize("archived", [False, True])
def test_outsiders_of_a_hidden_community_are_told_it_is_not_found(
    visibility: str, standing: Standing | None, archived: bool
) -> None:
    outsider = viewer(visibility, standing, archived=archived)
    with pytest.raises(NotFound):
        outsider.require_post()
    with pytest.raises(NotFound):
        outsider.require_moderator()


def test_outsiders_of_a_public_community_learn_why_they_cannot_post() -> None:
    with pytest.raises(Forbidden) as refused:
        viewer("public", None).require_post()
    assert refused.value.code == "not-a-member"


@pytest.mark.parametrize(
    ("standing", "code"), [(Standing.BANNED, "banned"), (Standing.REMOVED, "removed")]
)
def test_people_sent_away_from_a_private_community_learn_why(standing: Standing, code: str) -> None:
    with pytest.raises(Forbidden) as refused:
        viewer("private", standing).require_post()
    assert refused.value.code == code
