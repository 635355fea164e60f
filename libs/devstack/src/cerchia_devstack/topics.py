"""The catalog's topics on a local single-broker cluster: replication 1, catalog partitions."""

from cerchia_chassis.topics import TopicPlan, ensure_topics, plan_topics
from cerchia_contracts.catalog import CATALOG

__all__ = ["catalog_topics", "ensure_topics"]


def catalog_topics() -> list[TopicPlan]:
    """Every catalog topic and its ``.dlq``, as one local broker holds them."""
    return plan_topics(CATALOG, replication_factor=1)
