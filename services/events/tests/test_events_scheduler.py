"""Unit tests of the reminder scheduler step with in-memory ports and a fake clock."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events.gatherings import ReminderDueV1
from events.domain.gatherings import Details, Gathering, Venue
from events.domain.reminders import ReminderJob, plan
from events.domain.rsvps import Rsvp, RsvpStatus
from events.service.reminding import SchedulerPolicy, fire_due

pytestmark = pytest.mark.unit

T = TypeVar("T")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Store:
    """Jobs with the claim/lease/settle semantics of the Mongo store."""

    def __init__(self, jobs: Sequence[ReminderJob]) -> None:
        self.jobs = {
            j.id: {"job": j, "state": "pending", "owner": None, "until": None} for j in jobs
        }

    async def replace_for(
        self, gathering_id: str, jobs: Sequence[ReminderJob], session: Any
    ) -> None:
        raise NotImplementedError

    async def claim_due(
        self, *, now: datetime, lease: timedelta, owner: str, limit: int
    ) -> list[ReminderJob]:
        claimed = []
        for doc in self.jobs.values():
            due = doc["state"] == "pending" and doc["job"].due_at <= now
            expired = doc["state"] == "claimed" and doc["until"] < now
            if (due or expired) and len(claimed) < limit:
                doc.update(state="claimed", owner=owner, until=now + lease)
                claimed.append(doc["job"])
        return claimed

    async def complete(self, job_id: str, *, owner: str, outcome: str, session: Any) -> bool:
        doc = self.jobs.get(job_id)
        if doc is None or doc["state"] != "claimed" or doc["owner"] != owner:
            return False
        doc["state"] = outcome
        return True


class Gatherings:
    def __init__(self, *items: Gathering) -> None:
        self.items = {g.id: g for g in items}

    async def get(self, gathering_id: str, session: Any = None) -> Gathering | None:
        return self.items.get(gathering_id)


class Rsvps:
    def __init__(self, going: dict[str, list[str]]) -> None:
        self.going = going

    async def with_status(
        self, gathering_id: str, statuses: Sequence[RsvpStatus], **_: Any
    ) -> list[Rsvp]:
        return [Rsvp(gathering_id, u, "going", NOW) for u in self.going.get(gathering_id, [])]


class Outbox:
    def __init__(self) -> None:
        self.events: list[AnyEvent] = []
        self.wakes = 0

    async def add(self, session: Any, *events: AnyEvent) -> None:
        self.events.extend(events)

    def committed(self) -> None:
        self.wakes += 1


class Transactions:
    async def run(self, work: Callable[[Any], Awaitable[T]]) -> T:
        return await work(None)


def a_gathering(starts_in: timedelta) -> Gathering:
    start = NOW + starts_in
    details = Details(
        title="Circle",
        description="",
        format="in_person",
        venue=Venue("Sala", "Via 1"),
        online_link=None,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        time_zone="Europe/Rome",
        capacity=None,
        rsvp_deadline=None,
        host_ids=("h",),
        visibility="members",
    )
    return Gathering.schedule(community_id="c", created_by="h", details=details, now=NOW)


def policy(owner: str, catch_up: timedelta = timedelta(hours=1)) -> SchedulerPolicy:
    return SchedulerPolicy(
        owner=owner, lease=timedelta(seconds=30), catch_up=catch_up, batch_size=10
    )


async def step(
    store: Store,
    g: Gatherings,
    outbox: Outbox,
    *,
    now: datetime,
    owner: str,
    catch_up: timedelta = timedelta(hours=1),
) -> int:
    return await fire_due(
        now=now,
        policy=policy(owner, catch_up),
        store=store,
        gatherings=g,  # type: ignore[arg-type]
        rsvps=Rsvps({gid: ["ada", "bo"] for gid in g.items}),  # type: ignore[arg-type]
        outbox=outbox,
        transactions=Transactions(),
    )


async def test_a_due_reminder_fires_once_whichever_instance_claims_it() -> None:
    gathering = a_gathering(timedelta(hours=2))
    store = Store(plan(gathering, (timedelta(hours=1),), now=NOW))
    outbox = Outbox()
    due = NOW + timedelta(hours=1)
    assert (
        await step(store, Gatherings(gathering), outbox, now=due - timedelta(seconds=1), owner="a")
        == 0
    )
    assert await step(store, Gatherings(gathering), outbox, now=due, owner="a") == 1
    assert await step(store, Gatherings(gathering), outbox, now=due, owner="b") == 0
    (event,) = outbox.events
    assert isinstance(event, ReminderDueV1)
    assert event.data.attendee_ids == ("ada", "bo")
    assert event.data.offset_seconds == 3600


async def test_an_instance_whose_lease_was_taken_over_does_not_fire_again() -> None:
    gathering = a_gathering(timedelta(hours=2))
    (job,) = plan(gathering, (timedelta(hours=1),), now=NOW)
    store = Store([job])
    due = job.due_at
    await store.claim_due(now=due, lease=timedelta(seconds=30), owner="slow", limit=10)
    outbox = Outbox()
    # "slow" stalls past its lease; "fast" takes the job over and fires it.
    assert (
        await step(
            store, Gatherings(gathering), outbox, now=due + timedelta(minutes=1), owner="fast"
        )
        == 1
    )
    assert not await store.complete(job.id, owner="slow", outcome="sent", session=None)
    assert len(outbox.events) == 1


async def test_catch_up_window_and_events_already_started() -> None:
    soon = a_gathering(timedelta(hours=2))
    started = a_gathering(timedelta(minutes=90))
    store = Store(
        [
            *plan(soon, (timedelta(hours=1),), now=NOW),
            *plan(started, (timedelta(hours=1),), now=NOW),
        ]
    )
    outbox = Outbox()
    # Back after downtime: soon's reminder is 50 min late (within 1 h); started has begun.
    back = NOW + timedelta(minutes=110)
    assert await step(store, Gatherings(soon, started), outbox, now=back, owner="a") == 2
    assert [e.subject for e in outbox.events] == [soon.id]
    states = {d["job"].gathering_id: d["state"] for d in store.jobs.values()}
    assert states == {soon.id: "sent", started.id: "started"}

    late = a_gathering(timedelta(hours=5))
    store = Store(plan(late, (timedelta(hours=4),), now=NOW))
    outbox = Outbox()
    await step(
        store,
        Gatherings(late),
        outbox,
        now=NOW + timedelta(hours=3),
        owner="a",
        catch_up=timedelta(minutes=30),
    )
    assert outbox.events == []
    assert {d["state"] for d in store.jobs.values()} == {"too_late"}


async def test_a_rescheduled_gathering_supersedes_its_old_jobs() -> None:
    gathering = a_gathering(timedelta(hours=2))
    store = Store(plan(gathering, (timedelta(hours=1),), now=NOW))
    later = gathering.starts_at + timedelta(days=1)
    moved = replace(
        gathering,
        details=replace(gathering.details, starts_at=later, ends_at=later + timedelta(hours=1)),
    )
    outbox = Outbox()
    await step(store, Gatherings(moved), outbox, now=NOW + timedelta(hours=1), owner="a")
    assert outbox.events == []
    assert {d["state"] for d in store.jobs.values()} == {"superseded"}
    new_jobs = plan(moved, (timedelta(hours=1),), now=NOW)
    assert [j.due_at for j in new_jobs] == [later - timedelta(hours=1)]
