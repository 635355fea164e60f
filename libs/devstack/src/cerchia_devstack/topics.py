"""Creating the catalog's topics and their dead-letter topics, idempotently."""

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from cerchia_contracts.catalog import CATALOG, Topic


@dataclass(frozen=True)
class TopicSpec:
    """A topic to exist on the cluster."""

    name: str
    partitions: int
    replication: int = 1


def catalog_topics(catalog: Iterable[Topic] = CATALOG) -> list[TopicSpec]:
    """Every catalog topic and its ``.dlq``, with the same partition count."""
    specs = []
    for topic in catalog:
        specs.append(TopicSpec(topic.name, topic.partitions))
        specs.append(TopicSpec(topic.dlq, topic.partitions))
    return specs


async def ensure_topics(
    bootstrap: str,
    specs: Sequence[TopicSpec],
    *,
    timeout: float = 30.0,  # noqa: ASYNC109
) -> list[str]:
    """Create the missing topics and wait until the cluster lists them all; return those created.

    Topics that already exist are left as they are, so this runs on every ``up``.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        if missing:
            response = await admin.create_topics(
                [NewTopic(spec.name, spec.partitions, spec.replication) for spec in missing]
            )
            _raise_for_errors(response.topic_errors)
        await _wait_listed(admin, {spec.name for spec in specs}, timeout)
    finally:
        await admin.close()
    return [spec.name for spec in missing]


def _raise_for_errors(topic_errors: Iterable[Sequence[object]]) -> None:
    problems = []
    for entry in topic_errors:
        name, code = entry[0], entry[1]
        if code not in (0, TopicAlreadyExistsError.errno):
            message = entry[2] if len(entry) > 2 else ""
            problems.append(f"{name}: error {code} {message}".rstrip())
    if problems:
        raise RuntimeError("could not create topics: " + "; ".join(problems))


async def _wait_listed(admin: AIOKafkaAdminClient, names: set[str], within: float) -> None:
    deadline = time.monotonic() + within
    while True:
        absent = names - set(await admin.list_topics())
        if not absent:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"topics not listed after {within:.0f}s: {sorted(absent)}")
        await asyncio.sleep(0.2)
