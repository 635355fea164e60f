"""Outsiders learn nothing of a non-public community: the same 404 as for an unknown id."""

from collections.abc import Mapping
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from events.domain.access import Community, Role
from events.domain.errors import Forbidden, NotFound
from events.service.access import community_scope
from events.service.scheduling import schedule

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Directory:
    """A projection with one community and its members."""

    def __init__(self, visibility: str, roles: Mapping[str, Role]) -> None:
        self._community = Community("c", "Circle", visibility)  # type: ignore[arg-type]
        self._roles = roles

    async def community(self, community_id: str) -> Community | None:
        return self._community if community_id == "c" else None

    async def role(self, community_id: str, user_id: str) -> Role | None:
        return self._roles.get(user_id) if community_id == "c" else None


@pytest.mark.parametrize("visibility", ["private", "unlisted"])
@pytest.mark.parametrize("user_id", ["outsider", None])
async def test_a_hidden_communitys_events_are_not_found_for_outsiders(
    visibility: str, user_id: str | None
) -> None:
    directory: Any = Directory(visibility, {"ada": "member"})
    with pytest.raises(NotFound):
        await community_scope("c", user_id, directory=directory)
    scope = await community_scope("c", "ada", directory=directory)
    assert scope.audience == "member"


async def test_a_public_communitys_outsiders_are_told_to_join_or_sign_in() -> None:
    directory: Any = Directory("public", {})
    scope = await community_scope("c", "outsider", directory=directory)
    assert scope.audience == "public"


@pytest.mark.parametrize(("visibility", "refusal"), [("private", NotFound), ("public", Forbidden)])
async def test_scheduling_in_a_hidden_community_is_not_found_for_outsiders(
    visibility: str, refusal: type[Exception]
) -> None:
    stores: Any = SimpleNamespace(directory=Directory(visibility, {}))
    details: Any = object()  # refused before the details are looked at
    with pytest.raises(refusal):
        await schedule("c", details, recurrence=None, actor_id="outsider", now=NOW, stores=stores)
