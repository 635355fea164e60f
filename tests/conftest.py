"""Fixtures of the end-to-end suites: the whole platform behind its gateway, started once."""

from collections.abc import AsyncIterator

import pytest

from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.mail_sink import InProcessSmtpSink
from cerchia_devstack.pytest_plugin import AuthKeys
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
    consumer groups and its own mail sink keep the two from seeing each other's messages.
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
