"""Fixtures of the end-to-end suites: the whole platform behind its gateway, started once."""

from collections.abc import AsyncIterator

import pytest

from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.pytest_plugin import AuthKeys
from tests.platform import Platform, start_platform


@pytest.fixture(scope="package")
async def platform(
    tmp_path_factory: pytest.TempPathFactory,
    kafka_bootstrap: str,
    mongo_uri: str,
    smtp_sink: MailSink,
    auth_keys: AuthKeys,
) -> AsyncIterator[Platform]:
    """The whole platform, started once for the end-to-end modules of this package."""
    started = await start_platform(
        tmp_path_factory.mktemp("platform"),
        kafka_bootstrap=kafka_bootstrap,
        mongo_uri=mongo_uri,
        smtp=smtp_sink,
        keys=auth_keys,
    )
    try:
        yield started
    finally:
        started.stop()
