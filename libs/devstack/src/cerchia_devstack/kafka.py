"""Apache Kafka as one KRaft node (broker + controller) on the JVM, jars from Maven Central."""

import base64
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from cerchia_devstack.component import Component
from cerchia_devstack.install import ensure_installed, maven_command, require_tool, run_tool
from cerchia_devstack.ports import LOCALHOST, is_listening
from cerchia_devstack.readiness import StartupError

KAFKA_VERSION = "4.1.1"

# Kafka's own loggers are chatty at INFO; warnings and errors are what a developer needs.
LOG4J2_YAML = """\
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka
        level: WARN
      - name: org.apache.kafka
        level: WARN
      - name: state.change.logger
        level: WARN
"""

# Kafka's reserved ids (Uuid.ZERO_UUID and Uuid.METADATA_TOPIC_ID) are never valid cluster ids.
_RESERVED_IDS = {uuid.UUID(int=0), uuid.UUID(int=1)}


@dataclass(frozen=True)
class KafkaSettings:
    """Where the single node listens."""

    host: str = LOCALHOST
    port: int = 9092
    controller_port: int = 9093
    node_id: int = 1
    default_partitions: int = 3

    @property
    def bootstrap(self) -> str:
        """The ``host:port`` clients bootstrap from."""
        return f"{self.host}:{self.port}"


def render_server_properties(settings: KafkaSettings, data_dir: Path) -> str:
    """server.properties of a single-node KRaft cluster: replication factors of one."""
    host, port, cport = settings.host, settings.port, settings.controller_port
    lines = {
        "process.roles": "broker,controller",
        "node.id": str(settings.node_id),
        "controller.quorum.bootstrap.servers": f"{host}:{cport}",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{cport}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": str(settings.default_partitions),
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "true",
    }
    return "".join(f"{key}={value}\n" for key, value in lines.items())


def new_cluster_id() -> str:
    """A cluster id as ``kafka-storage random-uuid`` makes it: URL-safe base64 of a UUIDv4."""
    while True:
        candidate = uuid.uuid4()
        text = base64.urlsafe_b64encode(candidate.bytes).decode().rstrip("=")
        if candidate not in _RESERVED_IDS and not text.startswith("-"):
            return text


async def kafka_ready(bootstrap: str) -> bool:
    """Whether the cluster answers a metadata request and lists at least one broker."""
    host, _, port = bootstrap.rpartition(":")
    if not is_listening(int(port), host or LOCALHOST):
        return False
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except (KafkaError, OSError):
        return False
    finally:
        await admin.close()


class KafkaBroker(Component):
    """Kafka 4.x on Java 17: ``kafka.tools.StorageTool format`` once, then ``kafka.Kafka``."""

    name = "kafka"
    title = "Kafka"
    start_timeout = 90.0

    def __init__(
        self, *, root: Path, cache: Path, pom: Path, settings: KafkaSettings | None = None
    ) -> None:
        self.settings = settings or KafkaSettings()
        super().__init__(root=root, cache=cache, host=self.settings.host)
        self.pom = pom
        self.install_dir = cache / f"kafka-{KAFKA_VERSION}"
        self.data_dir = self.home / "data"
        self.properties_path = self.home / "server.properties"
        self.log4j_path = self.home / "log4j2.yaml"
        self._cluster_path = self.home / "cluster.json"

    def install(self) -> None:
        """Copy kafka_2.13 and its runtime dependencies (plus an SLF4J binding) from Maven."""

        def build(target: Path) -> None:
            if not self.pom.is_file():
                raise FileNotFoundError(f"missing {self.pom}")
            run_tool(
                maven_command(
                    "-f",
                    str(self.pom),
                    "dependency:copy-dependencies",
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={target / 'libs'}",
                ),
                what="downloading the Kafka jars",
            )

        ensure_installed(
            self.install_dir, build, what=f"Apache Kafka {KAFKA_VERSION} jars", cache=self.cache
        )

    def _java(self, main_class: str, *args: str, heap: str | None = None) -> list[str]:
        java = require_tool("java", "running Kafka (Java 17+)")
        memory = [f"-Xmx{heap}"] if heap else []
        return [
            java,
            *memory,
            "-cp",
            str(self.install_dir / "libs" / "*"),
            f"-Dlog4j2.configurationFile={self.log4j_path}",
            main_class,
            *args,
        ]

    def prepare(self) -> None:
        """Write the configuration and format the storage the first time only."""
        super().prepare()
        self.properties_path.write_text(
            render_server_properties(self.settings, self.data_dir), encoding="utf-8"
        )
        self.log4j_path.write_text(LOG4J2_YAML, encoding="utf-8")
        if (self.data_dir / "meta.properties").is_file():
            self._check_same_controller()
            return
        cluster_id = new_cluster_id()
        format_command = self._java(
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "--ignore-formatted",
            "-t",
            cluster_id,
            "-c",
            str(self.properties_path),
        )
        run_tool(format_command, what="formatting the Kafka storage")
        record = {"cluster_id": cluster_id, "controller_port": self.settings.controller_port}
        self._cluster_path.write_text(json.dumps(record), encoding="utf-8")

    def _check_same_controller(self) -> None:
        # --standalone formatting writes the controller's address into the metadata log.
        try:
            formatted = json.loads(self._cluster_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if formatted.get("controller_port") != self.settings.controller_port:
            raise StartupError(
                f"Kafka's storage in {self.data_dir} was formatted for controller port "
                f"{formatted.get('controller_port')}, not {self.settings.controller_port}: "
                "use that port, or `cerchia-stack down --purge` to start from empty storage"
            )

    def command(self) -> list[str]:
        """The broker in the foreground with a 512 MB heap."""
        return self._java("kafka.Kafka", str(self.properties_path), heap="512m")

    def ports(self) -> tuple[int, ...]:
        """Client and controller listeners."""
        return (self.settings.port, self.settings.controller_port)

    async def probe(self) -> bool:
        """A real metadata request."""
        return await kafka_ready(self.settings.bootstrap)

    def endpoints(self) -> dict[str, str]:
        """The bootstrap address."""
        return {"bootstrap": self.settings.bootstrap}
