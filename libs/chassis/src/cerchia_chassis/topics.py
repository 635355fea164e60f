"""Create the topic catalog's topics and their dead-letter topics on a Kafka cluster, idempotently.

Every service image runs it as ``python -m cerchia_chassis.topics`` with the catalog it was built
with (``cerchia_contracts.catalog``), so the topics created are those of the code being deployed;
the local stack, the tests and the bench create theirs with the same functions.
Settings come from flags or from the environment:

- the connection: ``--client-config FILE`` or ``CERCHIA_KAFKA_CONFIG`` (a client configuration
  as Kafka's tools read it), else ``CERCHIA_KAFKA_BOOTSTRAP_SERVERS`` (``--bootstrap``),
  ``CERCHIA_KAFKA_SASL_USERNAME``, ``CERCHIA_KAFKA_SASL_PASSWORD[_FILE]``,
  ``CERCHIA_KAFKA_CA_FILE`` (see ``cerchia_chassis.kafka_access``); an operator's principal;
- ``CERCHIA_TOPIC_REPLICATION_FACTOR`` (``--replication-factor``): 1 on one broker, 3 in production;
- ``CERCHIA_TOPIC_PARTITIONS`` (``--partitions``): ``name=N,name=N`` overrides of the catalog's
  partition counts, for a cluster that needs more parallelism than the default;
- ``CERCHIA_TOPIC_CONFIGS`` (``--config``): ``key=value,key=value`` topic configs such as
  ``min.insync.replicas=2``.

Existing topics are left alone: adding partitions to a keyed topic moves keys to other partitions
and breaks per-key order for the messages in flight, so that stays a deliberate operation (see
docs/scaling.md). A topic with fewer partitions than planned is reported.
"""

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

from cerchia_chassis.kafka_access import (
    KafkaAccess,
    KafkaAccessError,
    access_from_arguments,
    add_access_arguments,
)
from cerchia_contracts.catalog import CATALOG, Topic

logger = logging.getLogger("cerchia.topics")

#: Configs of a compacted topic (the person-key topics): the latest record of each key stays,
#: and a key's older records (a destroyed key, once its tombstone is written) are removed
#: within about two hours: segments roll hourly and are compacted within the hour after.
#: Tombstones themselves stay a day, so that a reader that is behind still sees them.
COMPACTION: Mapping[str, str] = {
    "cleanup.policy": "compact",
    "segment.ms": str(60 * 60 * 1000),
    "max.compaction.lag.ms": str(60 * 60 * 1000),
    "min.cleanable.dirty.ratio": "0.01",
    "delete.retention.ms": str(24 * 60 * 60 * 1000),
}


@dataclass(frozen=True)
class TopicPlan:
    """A topic that must exist: name, partitions, replication factor and configs."""

    name: str
    partitions: int
    replication_factor: int
    configs: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """What one run did."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    too_few_partitions: dict[str, tuple[int, int]] = field(default_factory=dict)


def parse_pairs(text: str, *, what: str) -> dict[str, str]:
    """``a=1,b=2`` → ``{"a": "1", "b": "2"}``; empty text → ``{}``."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{what}: expected name=value, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def plan_topics(
    catalog: Iterable[Topic],
    *,
    replication_factor: int,
    partitions: Mapping[str, int] | None = None,
    configs: Mapping[str, str] | None = None,
) -> list[TopicPlan]:
    """Every catalog topic and its ``.dlq``; a DLQ has its topic's partitions, so a replay
    keeps the order of each key."""
    if replication_factor < 1:
        raise ValueError("the replication factor must be at least 1")
    overrides = dict(partitions or {})
    plans: list[TopicPlan] = []
    for topic in catalog:
        count = overrides.pop(topic.name, topic.partitions)
        if count < 1:
            raise ValueError(f"{topic.name}: partitions must be at least 1")
        topic_configs = dict(configs or {})
        if topic.retention_ms is not None:
            topic_configs.setdefault("retention.ms", str(topic.retention_ms))
        if topic.compacted:
            for key, value in COMPACTION.items():
                topic_configs.setdefault(key, value)
        for name in (topic.name, topic.dlq):
            plans.append(TopicPlan(name, count, replication_factor, topic_configs))
    if overrides:
        raise ValueError(f"partition overrides for topics not in the catalog: {sorted(overrides)}")
    return plans


async def ensure_topics(
    access: KafkaAccess,
    plans: Sequence[TopicPlan],
    *,
    wait_s: float = 60.0,
) -> Outcome:
    """Create the missing topics and wait until the cluster lists them all.

    Waits up to ``wait_s`` for the cluster to answer first, and as long again for the listing.
    """
    admin = await connect_admin(access, wait_s)
    try:
        present = await _partition_counts(admin)
        outcome = Outcome()
        missing = [plan for plan in plans if plan.name not in present]
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(
                        plan.name,
                        plan.partitions,
                        plan.replication_factor,
                        topic_configs=dict(plan.configs),
                    )
                    for plan in missing
                ]
            )
            # Another run may have created some since the listing: that is not an error.
            outcome.created = _created(response.topic_errors)
        for plan in plans:
            if plan.name in outcome.created:
                continue
            outcome.existing.append(plan.name)
            if plan.name in present and present[plan.name] < plan.partitions:
                outcome.too_few_partitions[plan.name] = (present[plan.name], plan.partitions)
        await _wait_listed(admin, {plan.name for plan in plans}, wait_s)
        return outcome
    finally:
        await admin.close()


async def connect_admin(access: KafkaAccess, wait_s: float) -> AIOKafkaAdminClient:
    """An admin client, waiting up to ``wait_s`` for the cluster to answer."""
    deadline = time.monotonic() + wait_s
    while True:
        admin = AIOKafkaAdminClient(**access.client_kwargs(), request_timeout_ms=15000)
        try:
            await admin.start()
        except KafkaConnectionError:
            await admin.close()
            if time.monotonic() >= deadline:
                raise
            logger.info("waiting for Kafka at %s", access.bootstrap)
            await asyncio.sleep(1.0)
        else:
            return admin


async def _partition_counts(admin: AIOKafkaAdminClient) -> dict[str, int]:
    return {
        meta["topic"]: len(meta["partitions"])
        for meta in await admin.describe_topics()
        if meta["error_code"] == 0
    }


def _created(topic_errors: Iterable[Sequence[object]]) -> list[str]:
    created, problems = [], []
    for entry in topic_errors:
        name, code = str(entry[0]), entry[1]
        if code == 0:
            created.append(name)
        elif code != TopicAlreadyExistsError.errno:
            detail = entry[2] if len(entry) > 2 and entry[2] else ""
            problems.append(f"{name}: error {code} {detail}".rstrip())
    if problems:
        raise KafkaError("could not create topics: " + "; ".join(problems))
    return created


async def _wait_listed(admin: AIOKafkaAdminClient, names: set[str], wait_s: float) -> None:
    # Creation returns before every broker's metadata has the topic; services that start
    # next subscribe by name, so the job ends only once the cluster lists them all.
    deadline = time.monotonic() + wait_s
    while absent := names - set(await admin.list_topics()):
        if time.monotonic() >= deadline:
            raise KafkaError(f"topics not listed after {wait_s:.0f} s: {sorted(absent)}")
        await asyncio.sleep(0.2)


def _arguments(argv: Sequence[str], environ: Mapping[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_access_arguments(parser)
    parser.add_argument(
        "--replication-factor",
        type=int,
        default=int(environ.get("CERCHIA_TOPIC_REPLICATION_FACTOR", "1")),
    )
    parser.add_argument(
        "--partitions",
        default=environ.get("CERCHIA_TOPIC_PARTITIONS", ""),
        help="name=N,... overrides of the catalog's partition counts",
    )
    parser.add_argument(
        "--config",
        default=environ.get("CERCHIA_TOPIC_CONFIGS", ""),
        help="key=value,... topic configs, e.g. min.insync.replicas=2",
    )
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for Kafka")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and exit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the command line; 0 when every topic exists afterwards."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    args = _arguments(
        sys.argv[1:] if argv is None else argv, os.environ if environ is None else environ
    )
    try:
        partitions = {k: int(v) for k, v in parse_pairs(args.partitions, what="partitions").items()}
        plans = plan_topics(
            CATALOG,
            replication_factor=args.replication_factor,
            partitions=partitions,
            configs=parse_pairs(args.config, what="config"),
        )
    except ValueError as exc:
        logger.error("%s", exc)
        return 2
    if args.dry_run:
        for plan in plans:
            logger.info(
                "%s partitions=%d replication=%d",
                plan.name,
                plan.partitions,
                plan.replication_factor,
            )
        return 0
    try:
        access = access_from_arguments(args, environ)
        outcome = asyncio.run(ensure_topics(access, plans, wait_s=args.wait))
    except (KafkaError, KafkaAccessError) as exc:
        logger.error("%s", exc)
        return 1
    for name in outcome.created:
        logger.info("created %s", name)
    for name, (actual, planned) in outcome.too_few_partitions.items():
        logger.warning("%s has %d partitions, the plan says %d: not changed", name, actual, planned)
    logger.info("topics: %d created, %d existed", len(outcome.created), len(outcome.existing))
    return 0


if __name__ == "__main__":
    sys.exit(main())
