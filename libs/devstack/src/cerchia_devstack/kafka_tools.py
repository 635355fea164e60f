"""Kafka's own command-line tools against the local stack, with the operators' client config.

``./dev kafka-topics --list`` runs ``kafka-topics --bootstrap-server <local> --command-config
.stack/kafka/secrets/clients/admin.properties --list``: the same jars as the broker (Maven
Central), the connection filled in. The client configuration works as well with any Kafka
installation's scripts (``kafka-topics.sh --command-config ...``).
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from cerchia_devstack.kafka import KafkaBroker


@dataclass(frozen=True)
class Tool:
    """One of Kafka's tools: its main class and the flag that takes a client configuration."""

    main_class: str
    config_flag: str = "--command-config"
    help: str = ""


TOOLS: dict[str, Tool] = {
    "topics": Tool("org.apache.kafka.tools.TopicCommand", help="list, describe, alter topics"),
    "consumer-groups": Tool(
        "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
        help="groups, their lag, offsets resets",
    ),
    "acls": Tool("org.apache.kafka.tools.AclCommand", help="list the ACLs"),
    "configs": Tool("kafka.admin.ConfigCommand", help="describe and alter configs, SCRAM users"),
    "console-consumer": Tool(
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        config_flag="--consumer.config",
        help="print records of a topic",
    ),
    "console-producer": Tool(
        "org.apache.kafka.tools.ConsoleProducer",
        config_flag="--producer.config",
        help="write records to a topic",
    ),
}


def command(
    broker: KafkaBroker,
    tool: str,
    args: Sequence[str],
    *,
    bootstrap: str | None = None,
    config: Path | None = None,
) -> list[str]:
    """The command line of ``kafka-<tool>`` against the local node as its operator (or against
    ``bootstrap`` with the client configuration ``config``)."""
    chosen = TOOLS[tool]
    return broker.java(
        chosen.main_class,
        "--bootstrap-server",
        bootstrap or broker.settings.bootstrap,
        chosen.config_flag,
        str(config or broker.secrets.write_client_configs()),
        *args,
    )


def run(broker: KafkaBroker, tool: str, args: Sequence[str]) -> NoReturn:
    """Run the tool in the foreground, replacing this process."""
    argv = command(broker, tool, args)
    broker.install()
    os.execv(argv[0], argv)  # noqa: S606 - our own Java and Kafka's own tool
