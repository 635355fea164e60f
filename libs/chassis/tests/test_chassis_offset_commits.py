"""Background offset commits: one request in flight, latest offsets win, failures only logged."""

import asyncio
from typing import Any, cast

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError

from cerchia_chassis.offset_commits import BackgroundCommitter, CommitOnRevoke

pytestmark = pytest.mark.unit

P0, P1 = TopicPartition("t", 0), TopicPartition("t", 1)


def records(partition: int, *offsets: int) -> list[ConsumerRecord[Any, Any]]:
    return [ConsumerRecord("t", partition, o, 0, 0, b"k", b"v", None, 1, 1, []) for o in offsets]


class SlowConsumer:
    """Answers commits when told to, and records what was asked."""

    def __init__(self, assigned: set[TopicPartition]) -> None:
        self.assigned = assigned
        self.commits: list[dict[TopicPartition, int]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.release = asyncio.Event()
        self.fail_next = False

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self.release.wait()
            if self.fail_next:
                self.fail_next = False
                raise CommitFailedError("rebalanced")
            self.commits.append(dict(offsets))
        finally:
            self.in_flight -= 1


async def test_commits_do_not_pile_up_and_the_latest_offsets_win() -> None:
    fake = SlowConsumer({P0, P1})
    consumer = cast(AIOKafkaConsumer, fake)
    committer = BackgroundCommitter()
    committer.mark(consumer, records(0, 0, 1, 2))
    await asyncio.sleep(0)  # the first commit is under way and waits for the broker
    committer.mark(consumer, records(0, 3, 4) + records(1, 7))
    committer.mark(consumer, records(0, 5))
    assert fake.commits == []  # marking never waits for the broker
    fake.release.set()
    await committer.flush()
    assert fake.max_in_flight == 1
    assert fake.commits == [{P0: 3}, {P0: 6, P1: 8}]  # the marks made meanwhile, coalesced


async def test_a_failed_commit_is_logged_and_the_next_one_covers_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = SlowConsumer({P0})
    consumer = cast(AIOKafkaConsumer, fake)
    committer = BackgroundCommitter()
    fake.fail_next = True
    fake.release.set()
    committer.mark(consumer, records(0, 0, 1))
    await committer.flush()
    assert fake.commits == []
    assert "records may be redelivered" in caplog.text
    committer.mark(consumer, records(0, 2))
    await committer.flush()
    assert fake.commits == [{P0: 3}]


async def test_partitions_no_longer_assigned_are_not_committed_and_revocation_flushes() -> None:
    fake = SlowConsumer({P0, P1})
    consumer = cast(AIOKafkaConsumer, fake)
    committer = BackgroundCommitter()
    fake.release.set()
    listener = CommitOnRevoke(committer)
    committer.mark(consumer, records(0, 4) + records(1, 9))
    await listener.on_partitions_revoked({P1})  # what is done is committed before handing over
    assert fake.commits == [{P0: 5, P1: 10}]
    fake.assigned = {P0}
    committer.mark(consumer, records(0, 5) + records(1, 10))  # P1 was taken meanwhile
    await committer.flush()
    assert fake.commits[-1] == {P0: 6}


async def test_a_commit_the_broker_never_answers_is_given_up_so_a_stop_cannot_hang(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = SlowConsumer({P0})  # never released: the broker does not answer
    consumer = cast(AIOKafkaConsumer, fake)
    committer = BackgroundCommitter(commit_timeout_s=0.2)
    committer.mark(consumer, records(0, 0, 1))
    async with asyncio.timeout(5):
        await CommitOnRevoke(committer).on_partitions_revoked({P0})
    assert fake.commits == []
    assert fake.in_flight == 0  # the waiting commit was cancelled, not left behind
    assert "offset commit unanswered" in caplog.text
