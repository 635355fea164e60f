"""Fan-out: threads posted over HTTP become in-app, email and push deliveries for every member.

Each delivery's latency runs from the moment its thread's ``POST`` was sent to the moment
notifications recorded the delivery: ``sent_at`` of an email or push (stamped after the provider
accepted it) and ``created_at`` of an in-app feed item. CPU is what the content and
notifications processes (and, separately, the database server) used during the run.
"""

import asyncio
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from cerchia_bench.cpu import cpu_seconds
from cerchia_bench.harness import Figures, Measurement, percentile
from cerchia_bench.platform import Platform
from cerchia_bench.seeding import Community, seed_community, seed_filler
from cerchia_bench.sinks import PushProvider, SmtpProvider

#: in-app + email + push for every member but the author.
CHANNELS = 3
SERVICES = ("content", "notifications")
_THREAD = re.compile(r"/threads/([^/?#]+)")


@dataclass
class FanoutWorld:
    """One platform with its seeded communities, sharing the run's providers."""

    platform: Platform
    producer: AIOKafkaProducer
    smtp: SmtpProvider
    push: PushProvider
    db_pid: int | None = None
    #: Communities besides the measured ones, seeded once before the first measurement.
    filler: int = 0
    communities: dict[int, Community] = field(default_factory=dict)
    _filled: bool = False

    async def community(self, size: int) -> Community:
        """The world's community of ``size`` members, seeded on first use."""
        if not self._filled and self.filler:
            started = time.perf_counter()
            await seed_filler(self.platform, self.producer, count=self.filler)
            print(f"  seeded {self.filler:,} communities in {time.perf_counter() - started:.0f}s")
            self._filled = True
        if size not in self.communities:
            started = time.perf_counter()
            self.communities[size] = await seed_community(
                self.platform, self.producer, self.push, size=size
            )
            print(f"  seeded a community of {size:,} in {time.perf_counter() - started:.1f}s")
        return self.communities[size]


async def fanout(
    world: FanoutWorld, *, size: int, threads: int = 1, within: float = 600.0
) -> Measurement:
    """Post ``threads`` threads (one after the other) in the community of ``size`` members and
    wait until every delivery is recorded."""
    community = await world.community(size)
    recipients = [user for user in community.members if user != community.owner]
    external = 2 * len(recipients)
    email_mark, push_mark = len(world.smtp.log.snapshot()), len(world.push.log.snapshot())
    cpu_before = world.platform.cpu_seconds(SERVICES)
    db_before = cpu_seconds(world.db_pid) if world.db_pid else 0.0
    posted: dict[str, float] = {}
    headers = world.platform.headers(community.owner)
    started = time.time()
    async with httpx.AsyncClient(base_url=world.platform.url("content"), timeout=60) as client:
        for n in range(threads):
            sent_at = time.time()
            response = await client.post(
                f"/api/v1/communities/{community.id}/threads",
                json={"title": f"Thread {n}", "body": "What do you think about this?"},
                headers=headers,
            )
            response.raise_for_status()
            posted[response.json()["id"]] = sent_at
    events = await _received(
        world, posted, external=external, marks=(email_mark, push_mark), within=within
    )
    recorded = await _recorded(world, events, recipients, expected=threads * external)
    cpu = world.platform.cpu_seconds(SERVICES) - cpu_before
    db_cpu = (cpu_seconds(world.db_pid) - db_before) if world.db_pid else 0.0
    latencies = [(at - posted[events[event]]) * 1000 for event, at in recorded]
    last = max((at for _, at in recorded), default=started)
    count = len(recorded)
    figures: Figures = {
        "deliveries": float(count),
        "missing": float(threads * CHANNELS * len(recipients) - count),
        "deliveries_per_s": count / (last - started) if last > started else 0.0,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "last_ms": (last - started) * 1000,
        "cpu_s_per_1k_deliveries": cpu / count * 1000 if count else float("nan"),
        "db_cpu_s_per_1k_deliveries": db_cpu / count * 1000 if count else float("nan"),
    }
    return Measurement(figures, latencies)


async def _received(
    world: FanoutWorld,
    posted: dict[str, float],
    *,
    external: int,
    marks: tuple[int, int],
    within: float,
) -> dict[str, str]:
    """Wait until the providers received every email and push; event id → thread id."""
    keys: dict[str, set[str]] = defaultdict(set)
    events: dict[str, str] = {}
    email_mark, push_mark = marks
    deadline = time.monotonic() + within
    while True:
        emails = world.smtp.log.snapshot()[email_mark:]
        pushes = world.push.log.snapshot()[push_mark:]
        email_mark += len(emails)
        push_mark += len(pushes)
        for receipt in emails:
            keys[receipt.key.split(".", 1)[0]].add(receipt.key)
        for receipt in pushes:
            event = receipt.key.split(":", 1)[0]
            keys[event].add(receipt.key)
            match = _THREAD.search(receipt.link)
            if match and match.group(1) in posted:
                events[event] = match.group(1)
        complete = len(events) == len(posted) and all(len(keys[e]) >= external for e in events)
        if complete or time.monotonic() > deadline:
            return events
        await asyncio.sleep(0.05)


def _epoch(value: datetime) -> float:
    return value.replace(tzinfo=UTC).timestamp() if value.tzinfo is None else value.timestamp()


async def _recorded(
    world: FanoutWorld, events: dict[str, str], recipients: list[str], *, expected: int
) -> list[tuple[str, float]]:
    """(event id, recorded at) of every delivery notifications recorded for these events."""
    db = world.platform.db("notifications")
    ids = list(events)
    sent: list[dict[str, Any]] = []
    for _ in range(200):  # marking sent trails the provider's acceptance by a round trip
        sent = (
            await db["deliveries"]
            .find({"event_id": {"$in": ids}, "status": "sent"}, {"event_id": 1, "sent_at": 1})
            .to_list()
        )
        if len(sent) >= expected:
            break
        await asyncio.sleep(0.05)
    feed_keys = [f"{event}:{user}:in_app" for event in ids for user in recipients]
    items = (
        await db["feed"]
        .find({"key": {"$in": feed_keys}}, {"event_id": 1, "created_at": 1})
        .to_list()
    )
    return [(d["event_id"], _epoch(d["sent_at"])) for d in sent] + [
        (f["event_id"], _epoch(f["created_at"])) for f in items
    ]
