"""The composition root, built in memory: what membership subscribes to and how it is wired.

Membership consumes only the parts of personal-data exports that the other services publish;
this checks the container and the topic catalog agree on that (a subscription added later must
come with its catalog entry and an in-memory test of its handler).
"""

from collections.abc import AsyncIterator

import pytest

from cerchia_chassis.sealing import OpeningKey
from cerchia_contracts.catalog import (
    CATALOG,
    EXPORT_PART_TOPICS,
    MEMBERSHIP_SESSIONS,
    PERSON_KEY_TOPICS,
)
from membership.container import Container
from membership.entrypoints.consumers import register_consumers
from membership.settings import MembershipSettings

pytestmark = pytest.mark.unit


@pytest.fixture
async def container() -> AsyncIterator[Container]:
    settings = MembershipSettings(
        signing_key_file=None,
        log_json=False,
        token_sealing_key=OpeningKey.generate().public_text(),
        kafka_sasl_password="not used: nothing connects",
    )
    built = Container.build(settings)  # connects to nothing until chassis.running()
    yield built
    await built.chassis.mongo.close()


async def test_membership_subscribes_to_the_export_parts_and_the_catalog_agrees(
    container: Container,
) -> None:
    register_consumers(container)
    parts = {t.name for t in EXPORT_PART_TOPICS}
    assert container.chassis.consumed_topics == parts
    # Besides them, only its token verifier (the revocations) and the key feed (the keys of the
    # parts' producers, sealing their personal data) read topics, both without a group.
    keys = {PERSON_KEY_TOPICS[t.producer].name for t in EXPORT_PART_TOPICS}
    assert {t.name for t in container.chassis.key_feed.topics.values()} == keys
    assert {t.name for t in CATALOG if "membership" in t.consumers} == {
        MEMBERSHIP_SESSIONS.name,
        *parts,
        *keys,
    }


async def test_every_area_shares_the_chassis_unit_of_work_and_outbox(
    container: Container,
) -> None:
    chassis = container.chassis
    for ports in (container.accounts, container.community):
        assert ports.transactions is chassis.transactions
        assert ports.outbox is chassis.outbox
    # One adapter per collection: profile visibility reads the community side's memberships.
    assert container.accounts.communities is container.community.memberships
    assert set(container.accounts.exporters) == {"account", "communities"}
    # The communities side, and the exports (with the parts other services sent).
    assert len(container.accounts.erasure) == 2
    assert container.exports.outbox is chassis.outbox


def test_the_service_refuses_to_start_without_the_sealing_key() -> None:
    with pytest.raises(ValueError, match="MEMBERSHIP_TOKEN_SEALING_KEY"):
        Container.build(MembershipSettings(signing_key_file=None, log_json=False))
