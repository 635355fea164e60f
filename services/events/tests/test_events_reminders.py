"""The durable reminder scheduler on real processes: two instances, a crash, catch-up."""

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from cerchia_contracts.catalog import EVENTS_REMINDERS
from cerchia_contracts.events import gatherings as g
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory

pytestmark = pytest.mark.integration

SCHEDULER = {
    "EVENTS_REMINDER_OFFSETS_S": "[40, 10]",
    "EVENTS_REMINDER_POLL_INTERVAL_S": "0.3",
    "EVENTS_REMINDER_LEASE_S": "5",
}


async def sleep_until(moment: datetime) -> None:
    # Waiting for wall-clock time to pass (a reminder falling due), not for a condition.
    await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


@pytest.mark.timeout(300)
async def test_reminders_fire_once_with_two_instances_and_catch_up_after_a_crash(
    *,
    service_process: ServiceFactory,
    auth_keys: AuthKeys,
    seed: Callable[..., Awaitable[Any]],
    body: Callable[..., dict[str, Any]],
    topic_events: Callable[..., Awaitable[list[Any]]],
    mongo_uri: str,
) -> None:
    database = f"events_{uuid.uuid4().hex[:8]}"
    first = await service_process("events", database=database, env=SCHEDULER)
    second = await service_process("events", database=database, env=SCHEDULER)
    community = await seed(first.url, members=3)
    host, ada, bo = community.members
    h = auth_keys.headers

    async def schedule(base_url: str, starts_in: float, **extra: Any) -> str:
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=starts_in)
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            created = await client.post(
                f"/api/v1/communities/{community.id}/events",
                json=body(
                    starts_at=start.isoformat(),
                    ends_at=(start + timedelta(hours=1)).isoformat(),
                    **extra,
                ),
                headers=h(host),
            )
            assert created.status_code == 201, created.text
            event_id: str = created.json()["id"]
            for user in (ada, bo):
                rsvp = await client.put(
                    f"/api/v1/events/{event_id}/rsvp", json={"answer": "going"}, headers=h(user)
                )
                assert rsvp.json()["status"] == "going"
        return event_id

    # 1. Two instances share the jobs: each of 6 reminders (offset 10 s) goes out exactly once.
    racing = [await schedule(first.url if i % 2 else second.url, 20) for i in range(6)]
    moved = await schedule(first.url, 20)
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    async with httpx.AsyncClient(base_url=first.url, timeout=30) as client:
        patched = await client.patch(
            f"/api/v1/events/{moved}",
            json={
                "starts_at": later.isoformat(),
                "ends_at": (later + timedelta(hours=1)).isoformat(),
            },
            headers=h(host),
        )
        assert patched.status_code == 200, patched.text

    def all_six(seen: list[Any]) -> bool:
        return len({e.subject for e in seen}) >= 6

    fired = await topic_events(
        EVENTS_REMINDERS, all_six, subject={*racing, moved}, settle=3.0, timeout=60
    )
    assert Counter(e.subject for e in fired) == dict.fromkeys(racing, 1)  # moved: none yet
    reminder = fired[0]
    assert isinstance(reminder, g.ReminderDueV1)
    assert reminder.data.offset_seconds == 10
    assert sorted(reminder.data.attendee_ids) == sorted([ada, bo])
    assert reminder.data.community_id == community.id

    # 2. Both crash; events are scheduled meanwhile by an instance without a scheduler.
    first.kill()
    second.kill()
    api_only = await service_process(
        "events", database=database, env={**SCHEDULER, "EVENTS_REMINDER_SCHEDULER_ENABLED": "false"}
    )
    scheduled_at = datetime.now(UTC)
    # Starting a process takes seconds on a busy machine, hence the generous margins.
    missed = await schedule(api_only.url, 70)  # due at +30 s (missed) and +60 s
    started = await schedule(api_only.url, 15)  # due at +5 s; starts before the scheduler is back
    await sleep_until(scheduled_at + timedelta(seconds=32))
    await first.restart()

    def both(seen: list[Any]) -> bool:
        return Counter(e.subject for e in seen)[missed] >= 2

    after = await topic_events(
        EVENTS_REMINDERS, both, subject={missed, started}, settle=2.0, timeout=90
    )
    assert sorted(e.data.offset_seconds for e in after if e.subject == missed) == [10, 40]
    assert [e for e in after if e.subject == started] == []

    client_db: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        jobs = client_db[database]["reminders"]
        assert {d["state"] async for d in jobs.find({"gathering_id": started})} == {"started"}
        assert {d["state"] async for d in jobs.find({"gathering_id": missed})} == {"sent"}
        pending = [d async for d in jobs.find({"gathering_id": moved})]
        assert {d["state"] for d in pending} == {"pending"}
        assert {d["starts_at"] for d in pending} == {later}
        assert sorted(d["offset_s"] for d in pending) == [10, 40]
    finally:
        await client_db.close()
