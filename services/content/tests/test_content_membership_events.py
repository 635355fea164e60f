"""Consumed events applied to content in memory: the community projection (the chassis's,
folded by time), content's own names of people, erasure, and recaps, each once and all or
nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from cerchia_chassis.domain.community import Standing
from cerchia_chassis.domain.errors import EmailNotVerified, Forbidden
from cerchia_contracts.events import content as c
from content.domain.discussions import Visibility
from content.domain.moderation import Action
from content.service import messages, replies, resources, threads
from content.service.bans import ban_reason
from content.service.membership_events import on_community_event, on_user_event
from content.service.recaps import on_recap_published
from content.service.resources import NewResource
from content.service.threads import NewThread
from services.content.tests import membership_facts as f
from services.content.tests.content_fakes import World

pytestmark = pytest.mark.unit


async def founded() -> World:
    world = World()
    for person in ("olga", "ben", "ada"):
        assert await on_user_event(f.verified(person), ports=world.ports)
    assert await on_community_event(f.created(), ports=world.ports)
    assert await on_community_event(f.joined("olga"), ports=world.ports)
    return world


async def test_a_join_replayed_after_a_later_departure_leaves_the_person_out() -> None:
    world = await founded()
    # Never processed before: the join comes back from a dead-letter topic after the departure.
    assert await on_community_event(f.left("ben", at=f.T0 + timedelta(hours=2)), ports=world.ports)
    assert await on_community_event(
        f.joined("ben", at=f.T0 + timedelta(hours=1)), ports=world.ports
    )
    assert world.store.memberships[("c", "ben")].standing is Standing.LEFT
    with pytest.raises(Forbidden) as refused:
        await threads.start_thread("c", "ben", NewThread("Hi", "Back?"), ports=world.ports)
    assert refused.value.code == "not-a-member"
    # A join that happened after the departure does count.
    assert await on_community_event(
        f.joined("ben", at=f.T0 + timedelta(hours=3)), ports=world.ports
    )
    await threads.start_thread("c", "ben", NewThread("Hi", "Back!"), ports=world.ports)


async def test_each_event_applies_once_and_code_of_conduct_versions_only_grow() -> None:
    world = await founded()
    join = f.joined("ada")
    assert await on_community_event(join, ports=world.ports)
    before = world.snapshot()
    assert not await on_community_event(join, ports=world.ports)
    assert world.snapshot() == before
    await on_community_event(f.code_of_conduct(3, at=f.T0 + timedelta(1)), ports=world.ports)
    await on_community_event(f.code_of_conduct(2, at=f.T0 + timedelta(2)), ports=world.ports)
    assert world.store.communities["c"].code_of_conduct_version == 3
    with pytest.raises(Forbidden) as refused:  # ada accepted version 1 only
        await threads.start_thread("c", "ada", NewThread("Hi", "There"), ports=world.ports)
    assert refused.value.code == "code-of-conduct-not-accepted"


async def test_events_of_no_interest_leave_no_inbox_record() -> None:
    world = World()
    assert not await on_user_event(f.joined("ada"), ports=world.ports)
    assert not await on_community_event(f.profile("ada", "Ada"), ports=world.ports)
    assert world.store.processed == set()


async def test_names_follow_profiles_and_a_late_registration_does_not_overwrite_them() -> None:
    world = World()
    await on_user_event(f.profile("ada", "Ada L.", handle="Ada"), ports=world.ports)
    await on_user_event(f.registered("ada", "ada"), ports=world.ports)
    (person,) = (await world.ports.people.people(["ada"])).values()
    assert (person.display_name, person.handle) == ("Ada L.", "ada")


async def test_erasure_forgets_the_name_and_the_memberships_and_applies_the_policy() -> None:
    world = await founded()
    await on_community_event(f.joined("ada"), ports=world.ports)
    await on_user_event(f.profile("ada", "Ada", handle="ada"), ports=world.ports)
    assert await on_user_event(f.erased("ada"), ports=world.ports)
    assert world.store.people["ada"].display_name == "Former member"
    assert ("c", "ada") not in world.store.memberships
    assert world.store.erased == ["ada"]
    await on_user_event(f.profile("ada", "Ada again", handle="ada"), ports=world.ports)
    assert world.store.people["ada"].erased


async def test_a_recap_whose_effect_fails_leaves_nothing_behind_and_applies_on_redelivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = await founded()
    recap = f.recap()

    async def broken(**fields: object) -> None:
        raise RuntimeError("index unavailable")

    before = world.snapshot()
    monkeypatch.setattr(world.ports.search, "put", broken)
    with pytest.raises(RuntimeError):
        await on_recap_published(recap, ports=world.ports)
    assert world.snapshot() == before  # no thread, no event, no inbox record
    monkeypatch.undo()  # the index works again: the redelivered event applies
    assert await on_recap_published(recap, ports=world.ports)
    assert not await on_recap_published(recap, ports=world.ports)
    (thread,) = world.store.threads.values()
    assert thread.linked_event_id == "gathering-1"
    assert len(world.events(c.ThreadCreatedV1)) == 1


async def _posts_of_ben(world: World) -> tuple[str, str, str]:
    thread = await threads.start_thread(
        "c", "ben", NewThread("Window", "posted after the ban"), ports=world.ports
    )
    reply = await replies.post_reply(
        thread.id, "ben", body="more after the ban", parent_id=None, ports=world.ports
    )
    resource = await resources.share_resource(
        "c", "ben", NewResource(title="Link", kind="note", description="late"), ports=world.ports
    )
    return thread.id, reply.id, resource.id


async def test_a_ban_hides_what_the_person_posted_from_its_time_on_and_refuses_the_rest() -> None:
    world = await founded()
    await on_community_event(f.joined("ben"), ports=world.ports)
    before = await threads.start_thread(
        "c", "ben", NewThread("Before", "posted before the ban"), ports=world.ports
    )
    ban_time = datetime.now(UTC)
    # Posted in the window: the ban was decided, content has not heard of it yet.
    thread_id, reply_id, resource_id = await _posts_of_ben(world)
    assert await on_community_event(f.banned("ben", at=ban_time), ports=world.ports)

    store = world.store
    assert store.threads[before.id].visibility is Visibility.VISIBLE
    assert store.threads[thread_id].visibility is Visibility.HIDDEN
    assert store.replies[reply_id].visibility is Visibility.HIDDEN
    assert store.resources[resource_id].visibility is Visibility.HIDDEN
    assert ("thread", before.id) in store.search
    assert not {("thread", thread_id), ("reply", reply_id), ("resource", resource_id)} & set(
        store.search
    )
    # Moderators see why: the ban hid them, by whom and with the ban's reason.
    hidden = {(d.target_kind, d.target_id): d for d in store.decisions}
    assert set(hidden) == {("thread", thread_id), ("reply", reply_id), ("resource", resource_id)}
    assert all(d.moderator_id == "olga" and d.action is Action.HIDE for d in hidden.values())
    assert all(d.reason == ban_reason("Spam") for d in hidden.values())
    assert store.fences == ["ben"]  # ordered against a post of ben's still in flight
    with pytest.raises(Forbidden) as refused:
        await threads.start_thread("c", "ben", NewThread("After", "refused"), ports=world.ports)
    assert refused.value.code == "banned"


async def test_a_ban_older_than_a_rejoin_hides_nothing_posted_after_the_rejoin() -> None:
    world = await founded()
    ban_time = datetime.now(UTC)
    await on_community_event(f.joined("ben", at=ban_time + timedelta(seconds=1)), ports=world.ports)
    thread_id, reply_id, resource_id = await _posts_of_ben(world)
    # The ban comes late (replayed from a dead-letter topic): the newer join stands.
    assert await on_community_event(f.banned("ben", at=ban_time), ports=world.ports)
    assert world.store.threads[thread_id].visibility is Visibility.VISIBLE
    assert world.store.replies[reply_id].visibility is Visibility.VISIBLE
    assert world.store.resources[resource_id].visibility is Visibility.VISIBLE
    assert world.store.decisions == []


async def test_posting_and_messaging_wait_for_a_verified_email_address() -> None:
    world = await founded()
    await on_community_event(f.joined("ben"), ports=world.ports)
    await on_community_event(f.joined("cleo"), ports=world.ports)
    await on_user_event(f.registered("cleo", "Cleo"), ports=world.ports)
    thread = await threads.start_thread("c", "ben", NewThread("Hi", "All"), ports=world.ports)
    before = world.snapshot()
    attempts = (
        threads.start_thread("c", "cleo", NewThread("Hi", "There"), ports=world.ports),
        replies.post_reply(thread.id, "cleo", body="Hello", parent_id=None, ports=world.ports),
        resources.share_resource(
            "c", "cleo", NewResource(title="T", kind="note", description="d"), ports=world.ports
        ),
        messages.send_message("cleo", "ben", body="Hello", ports=world.ports),
    )
    for attempt in attempts:
        with pytest.raises(EmailNotVerified) as refused:
            await attempt
        assert refused.value.code == "email-not-verified"
    assert world.snapshot() == before  # nothing written, nothing published
    assert await on_user_event(f.verified("cleo"), ports=world.ports)
    # A later profile event keeps the verification (it only names the person).
    await on_user_event(f.profile("cleo", "Cleo C."), ports=world.ports)
    await threads.start_thread("c", "cleo", NewThread("Hi", "There"), ports=world.ports)
    await messages.send_message("cleo", "ben", body="Hello", ports=world.ports)
