"""Outsiders learn nothing of a non-public community: the same 404 as for an unknown id."""

from datetime import UTC, datetime
from typing import Any

import pytest

from events.domain.errors import Forbidden, NotFound
from events.service.access import community_scope
from events.service.scheduling import schedule
from services.events.tests.events_fakes import World

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("visibility", ["private", "unlisted"])
@pytest.mark.parametrize("user_id", ["outsider", None])
async def test_a_hidden_communitys_events_are_not_found_for_outsiders(
    visibility: str, user_id: str | None
) -> None:
    world = World(visibility=visibility)
    with pytest.raises(NotFound):
        await community_scope("c", user_id, ports=world.ports)
    scope = await community_scope("c", "ada", ports=world.ports)
    assert scope.audience == "member"


async def test_a_public_communitys_outsiders_are_told_to_join_or_sign_in() -> None:
    world = World(visibility="public")
    scope = await community_scope("c", "outsider", ports=world.ports)
    assert scope.audience == "public"


@pytest.mark.parametrize(("visibility", "refusal"), [("private", NotFound), ("public", Forbidden)])
async def test_scheduling_in_a_hidden_community_is_not_found_for_outsiders(
    visibility: str, refusal: type[Exception]
) -> None:
    world = World(visibility=visibility)
    details: Any = object()  # refused before the details are looked at
    with pytest.raises(refusal):
        await schedule(
            "c", details, recurrence=None, actor_id="outsider", now=NOW, ports=world.ports
        )
    assert world.store.gatherings == {}
    assert world.store.events == []
