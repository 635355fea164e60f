"""Fault tests: the broker and the database crash under load; nothing is lost or duplicated.

Threads are opened at a steady pace in a community whose members chose different channels;
the oracle (``tests.faults``) says which deliveries each committed thread must cause.
"""

import asyncio
import time
from pathlib import Path

import pytest

from cerchia_contracts.catalog import CONTENT_DISCUSSIONS
from tests.faults import (
    PrivateStack,
    ThreadLoad,
    committed_threads,
    consumer_lag,
    expected_deliveries,
    open_rig,
)

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.timeout(300), pytest.mark.alone]

BOTH = ("content", "notifications")


@pytest.fixture(scope="module")
def stack(private_stack: PrivateStack) -> PrivateStack:
    """The module's own servers, which its tests crash."""
    return private_stack


async def test_kafka_killed_and_restarted_under_load_loses_and_duplicates_nothing(
    stack: PrivateStack, tmp_path: Path
) -> None:
    async with open_rig(stack.cluster, stack.mongo_uri, tmp_path, BOTH) as rig:
        load = ThreadLoad(
            rig.platform.url("content"), rig.community, rig.platform.headers(rig.author)
        )

        back = 0.0

        async def outage() -> None:
            nonlocal back
            await asyncio.sleep(4)
            await stack.crash_and_restart(stack.kafka, downtime=5)
            back = time.monotonic()

        await asyncio.gather(load.run(rate_per_s=4, duration_s=16, at_most=64), outage())

        # The outbox decouples the API from the broker: threads were accepted during the outage.
        assert not load.refused, load.refused
        assert load.uncertain == load.unavailable == 0
        assert len(load.accepted) >= 30
        committed = await committed_threads(rig)
        assert load.accepted == set(committed)

        # Consumers catch up with what piled up: lag back to 0 within 60 s of the broker's return
        # (the relay publishes the backlog and notifications consumes it all).
        group = rig.platform.group("notifications")
        outbox = rig.platform.db("content")["outbox"]
        while (
            await outbox.count_documents({"sent_at": None}, limit=1)
            or await consumer_lag(stack.cluster.admin, group, CONTENT_DISCUSSIONS.name) > 0
        ):
            assert time.monotonic() - back < 60, "consumer lag did not return to 0 within 60 s"
            await asyncio.sleep(0.5)
        caught_up = time.monotonic() - back

        expected = set().union(
            *(expected_deliveries(rig.community, e, rig.author) for e in committed.values())
        )
        verdict = await rig.verdict(expected, within=120)
        print(f"Kafka down 5 s, lag 0 {caught_up:.1f} s after its return: {verdict.summary()}")
        assert not verdict.missing, verdict.summary()
        assert not verdict.unexpected, verdict.summary()
        assert not verdict.not_sent, verdict.summary()
        assert verdict.raw_duplicates == 0, verdict.summary()


async def test_database_restarted_under_load_republishes_pending_and_loses_nothing(
    stack: PrivateStack, tmp_path: Path
) -> None:
    async with open_rig(stack.cluster, stack.mongo_uri, tmp_path, BOTH) as rig:
        load = ThreadLoad(
            rig.platform.url("content"), rig.community, rig.platform.headers(rig.author)
        )

        async def outage() -> None:
            await asyncio.sleep(4)
            await stack.crash_and_restart(stack.mongo, downtime=4)

        await asyncio.gather(load.run(rate_per_s=4, duration_s=16, at_most=64), outage())

        # While the database is down requests fail cleanly (503 problem), never hang or half-write.
        assert set(load.refused) <= {503}, load.refused
        assert load.uncertain == load.unavailable == 0
        assert len(load.accepted) >= 20
        committed = await committed_threads(rig)
        assert load.accepted <= set(committed)
        expected = set().union(
            *(expected_deliveries(rig.community, e, rig.author) for e in committed.values())
        )
        verdict = await rig.verdict(expected, within=150)
        print(f"database down 4 s: {verdict.summary()}")
        assert not verdict.missing, verdict.summary()
        assert not verdict.unexpected, verdict.summary()
        assert not verdict.not_sent, verdict.summary()
        # A send whose "sent" mark hit the dead database is sent again once its claim lapses
        # (same Message-ID / tag, so the provider drops it): at most one per outage.
        assert verdict.raw_duplicates <= 1, verdict.summary()
