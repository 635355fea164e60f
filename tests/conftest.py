"""Fixtures of the end-to-end suites: the whole platform behind its gateway, started once."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.mail_sink import InProcessSmtpSink
from cerchia_devstack.pytest_plugin import AuthKeys
from tests.faults import PrivateStack
from tests.platform import Platform, start_platform


@pytest.fixture(scope="package")
async def platform(
    tmp_path_factory: pytest.TempPathFactory,
    kafka: KafkaCluster,
    mongo_uri: str,
    auth_keys: AuthKeys,
) -> AsyncIterator[Platform]:
    """The whole platform, started once for the end-to-end modules of this package.

    It lives as long as the package, beside other tests' services on the same Kafka: its own
    consumer groups (starting at the end of the earlier tests' history) and its own mail sink
    keep the two from seeing each other's messages.
    """
    sink = InProcessSmtpSink().start()
    try:
        started = await start_platform(
            tmp_path_factory.mktemp("platform"),
            kafka=kafka,
            mongo_uri=mongo_uri,
            smtp=sink,
            keys=auth_keys,
        )
        try:
            yield started
        finally:
            started.stop()
    finally:
        sink.stop()


@pytest.fixture(scope="module")
async def private_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PrivateStack]:
    """Kafka and a database for one fault module alone.

    A fault rig's services start new consumer groups, which read their topics from the
    beginning: on the session's Kafka that is every earlier test's history (thousands of
    threads and communities after the read-your-writes trials), to be worked through before
    the rig's own community is even known. Killing these servers harms no other test either.
    """
    private = PrivateStack(Path(tmp_path_factory.mktemp("faults")))
    await private.start()
    yield private
    private.stop()
