"""Profile and privacy use cases with in-memory fakes: handles, visibility, export, erasure."""

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from cerchia_contracts.events.membership import ProfileUpdatedV1, UserErasedV1
from cerchia_contracts.events.membership.sessions import SessionsRevokedV1
from membership.domain.account_errors import HandleTaken, ProfileRestricted, WrongPassword
from membership.domain.users import User
from membership.service.privacy import AccountExporter, erase_account, export_personal_data
from membership.service.profiles import update_profile, view_profile
from services.membership.tests.account_fakes import (
    NOW,
    PASSWORD,
    FakeCommunities,
    RecordingParticipant,
    World,
    account_world,
)

pytestmark = pytest.mark.unit


@pytest.fixture
def world() -> World:
    return account_world()


async def test_profile_update_claims_the_handle_and_announces_the_full_profile(
    world: World,
) -> None:
    ada, bo = await world.register(), await world.register("bo@example.org")

    async def update(user: User, changes: dict[str, Any]) -> User:
        return await update_profile(user.id, changes, ports=world.ports)

    updated = await update(ada, {"handle": "@Ada", "skills": ["Python"], "display_name": "Ada L"})
    assert updated.profile.handle == "ada"
    assert updated.display_name == "Ada L"
    (event,) = world.events(ProfileUpdatedV1)
    assert event.data.handle == "ada"
    assert event.data.skills == ("Python",)

    before = world.store.snapshot()
    with pytest.raises(HandleTaken):
        await update(bo, {"handle": "ADA", "city": "Milan"})
    assert world.store.snapshot() == before  # nothing half-written
    assert world.store.users[bo.id].profile.city is None

    await update(ada, {"handle": "ada_l"})
    await update(bo, {"handle": "ada"})  # released by the rename
    assert world.store.handles == {"ada_l": ada.id, "ada": bo.id}
    events = len(world.events(ProfileUpdatedV1))
    await update(bo, {"handle": "ada"})  # no change, no event
    assert len(world.events(ProfileUpdatedV1)) == events


async def test_profiles_are_visible_to_fellow_members_or_to_the_platform(world: World) -> None:
    ada, bo, cy = [await world.register(f"{n}@example.org") for n in ("ada", "bo", "cy")]
    ports = replace(world.ports, communities=FakeCommunities({frozenset((ada.id, bo.id))}))

    async def view(viewer: User, owner: User) -> User:
        return await view_profile(viewer.id, owner.id, ports=ports)

    assert (await view(bo, ada)).id == ada.id
    with pytest.raises(ProfileRestricted):
        await view(cy, ada)
    await update_profile(ada.id, {"visibility": "platform"}, ports=world.ports)
    assert (await view(cy, ada)).id == ada.id


async def test_export_composes_every_area_and_erasure_removes_everything_at_once(
    world: World,
) -> None:
    user = await world.register()
    await world.login()

    class CommunitiesExporter:
        async def export(self, user_id: str) -> dict[str, Any]:
            return {"memberships": [{"user_id": user_id, "community": "c1"}]}

    exporters = {
        "account": AccountExporter(
            accounts=world.ports.accounts, sessions=world.ports.sessions, tokens=world.ports.tokens
        ),
        "communities": CommunitiesExporter(),
    }
    ports = replace(world.ports, exporters=exporters)
    document = await export_personal_data(user.id, ports=ports, now=NOW)
    assert document["sections"]["account"]["account"]["email"] == "ada@example.org"
    assert len(document["sections"]["account"]["sessions"]) == 1
    assert document["sections"]["account"]["pending_links"][0]["purpose"] == "verify_email"
    assert document["sections"]["communities"]["memberships"][0]["user_id"] == user.id
    assert "hashed:" not in repr(document)

    async def erase(password: str, participants: Sequence[Any]) -> None:
        await erase_account(user.id, password, ports=replace(ports, erasure=participants), now=NOW)

    class FailingParticipant:
        async def erase(self, user_id: str, session: Any) -> None:
            raise RuntimeError("communities store is down")

    before = world.store.snapshot()
    with pytest.raises(WrongPassword):
        await erase("not my password", [RecordingParticipant(world.store)])
    with pytest.raises(RuntimeError):
        await erase(PASSWORD, [RecordingParticipant(world.store), FailingParticipant()])
    assert world.store.snapshot() == before  # all or nothing
    assert user.id in world.store.users
    assert world.events(UserErasedV1) == []

    await erase(PASSWORD, [RecordingParticipant(world.store)])
    assert world.store.users == {}
    assert world.store.tokens == {}
    assert world.store.sessions == {}
    assert world.store.erased_by_participant == [user.id]
    (erased,) = world.events(UserErasedV1)
    assert erased.subject == user.id
    (revoked,) = world.events(SessionsRevokedV1)  # every token issued until now dies
    assert (revoked.subject, revoked.data.all_before) == (user.id, NOW)
    assert revoked.data.cause == "account_erased"
