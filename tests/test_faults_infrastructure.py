"""Fault tests: the broker and the database crash under load; nothing is lost or duplicated."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cerchia_contracts.catalog import MEMBERSHIP_USERS
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.pytest_plugin import ServiceFactory
from tests.faults import PrivateStack, RegistrationLoad, consumer_lag, wait_for_all

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PrivateStack]:
    private = PrivateStack(Path(tmp_path_factory.mktemp("faults")))
    await private.start()
    yield private
    private.stop()


async def start_platform(service_process: ServiceFactory, stack: PrivateStack) -> str:
    suffix = uuid.uuid4().hex[:8]
    await service_process(
        "notifications", database=f"notifications_{suffix}", env=stack.env("notifications")
    )
    membership = await service_process(
        "membership",
        database=f"membership_{suffix}",
        env={**stack.env("membership"), "MEMBERSHIP_OUTBOX_POLL_INTERVAL_S": "0.5"},
    )
    return membership.url


async def test_kafka_killed_and_restarted_under_load_loses_and_duplicates_nothing(
    service_process: ServiceFactory, smtp_sink: MailSink, stack: PrivateStack
) -> None:
    load = RegistrationLoad(await start_platform(service_process, stack))

    async def outage() -> None:
        await asyncio.sleep(4)
        await stack.crash_and_restart(stack.kafka, downtime=5)

    await asyncio.gather(load.run(rate_per_s=6, duration_s=16), outage())

    # The outbox decouples the API from the broker: registrations succeeded during the outage.
    assert len(load.accepted) >= 80, load.refused
    assert not load.refused, load.refused
    counts = await wait_for_all(smtp_sink, load.accepted, timeout=120)
    missing = load.accepted - set(counts)
    duplicated = {address: n for address, n in counts.items() if n > 1}
    assert not missing, f"{len(missing)} of {len(load.accepted)} welcome emails missing"
    assert not duplicated

    started = time.monotonic()
    while await consumer_lag(stack.bootstrap, "notifications", MEMBERSHIP_USERS.name) > 0:
        assert time.monotonic() - started < 60, "consumer lag did not return to 0 within 60 s"
        await asyncio.sleep(1)


async def test_database_restarted_under_load_republishes_pending_and_loses_nothing(
    service_process: ServiceFactory, smtp_sink: MailSink, stack: PrivateStack
) -> None:
    load = RegistrationLoad(await start_platform(service_process, stack))

    async def outage() -> None:
        await asyncio.sleep(4)
        await stack.crash_and_restart(stack.mongo, downtime=4)

    await asyncio.gather(load.run(rate_per_s=6, duration_s=16), outage())

    # While the database is down requests fail cleanly (503 problem), never hang or half-write.
    assert set(load.refused) <= {503}, load.refused
    assert len(load.accepted) >= 40
    counts = await wait_for_all(smtp_sink, load.accepted, timeout=120)
    missing = load.accepted - set(counts)
    duplicated = {address: n for address, n in counts.items() if n > 1}
    assert not missing, f"{len(missing)} of {len(load.accepted)} welcome emails missing"
    assert not duplicated
