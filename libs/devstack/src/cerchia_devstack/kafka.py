"""Apache Kafka as one KRaft node (broker + controller) on the JVM, jars from Maven Central."""

import asyncio
import base64
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from cerchia_chassis.acls import apply as apply_acls
from cerchia_chassis.acls import services_of
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.kafka_node import (
    ADMIN,
    BROKER,
    BrokerTls,
    Listeners,
    ensure_broker_tls,
    server_properties,
)
from cerchia_chassis.topics import ensure_topics
from cerchia_contracts.catalog import CATALOG
from cerchia_devstack.component import Component
from cerchia_devstack.install import ensure_installed, maven_command, require_tool, run_tool
from cerchia_devstack.ports import LOCALHOST, is_listening
from cerchia_devstack.readiness import StartupError
from cerchia_devstack.topics import catalog_topics

KAFKA_VERSION = "4.1.1"
#: Bumped when the node's security setup changes, so older storage is recognised.
SECURITY_LAYOUT = 1

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


@dataclass(frozen=True)
class KafkaCluster:
    """A secured cluster as the platform's processes see it: the operators' connection and each
    service's password file (its principal is its name)."""

    admin: KafkaAccess
    password_files: Mapping[str, Path]

    @property
    def bootstrap(self) -> str:
        """Where the cluster is."""
        return self.admin.bootstrap

    def has_principal(self, service: str) -> bool:
        """Whether ``service`` is one of the cluster's principals."""
        return service in self.password_files

    def service(self, name: str) -> KafkaAccess:
        """How service ``name`` connects, as itself."""
        password = self.password_files[name].read_text(encoding="utf-8").strip()
        return self.admin.as_user(name, password)

    def service_env(self, name: str, prefix: str) -> dict[str, str]:
        """The settings that connect service ``name`` (prefix ``<NAME>_``), password in a file."""
        env = {
            f"{prefix}KAFKA_BOOTSTRAP_SERVERS": self.admin.bootstrap,
            f"{prefix}KAFKA_SECURITY_PROTOCOL": self.admin.security_protocol,
            f"{prefix}KAFKA_SASL_MECHANISM": self.admin.sasl_mechanism,
        }
        if name in self.password_files:
            env[f"{prefix}KAFKA_SASL_USERNAME"] = name
            env[f"{prefix}KAFKA_SASL_PASSWORD_FILE"] = str(self.password_files[name])
        if self.admin.ca_file:
            env[f"{prefix}KAFKA_CA_FILE"] = self.admin.ca_file
        return env


class KafkaSecrets:
    """The node's passwords and TLS files, made on first start and kept under ``directory``.

    ``admin`` is the operators' super user (the tests and the command-line tools use it);
    ``broker`` authenticates the node to itself; every service of the catalog has its own user.
    Password files are mode 0600; the client configuration for Kafka's tools and for our own
    command-line tools is ``clients/admin.properties``.
    """

    def __init__(self, directory: Path, settings: KafkaSettings) -> None:
        self.directory = directory
        self.settings = settings
        self.tls = BrokerTls(directory / "tls")

    def password_file(self, user: str) -> Path:
        """The file holding ``user``'s password (created on first use)."""
        path = self.directory / "passwords" / f"{user}.password"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(24) + "\n", encoding="utf-8")
        return path

    def password(self, user: str) -> str:
        """``user``'s password."""
        return self.password_file(user).read_text(encoding="utf-8").strip()

    def ensure_tls(self) -> BrokerTls:
        """The CA and the broker's certificate for the node's host."""
        return ensure_broker_tls(self.tls.directory, [self.settings.host, "localhost"])

    def access(self, user: str = ADMIN) -> KafkaAccess:
        """How ``user`` connects (SASL_SSL, SCRAM-SHA-512, the node's CA)."""
        return KafkaAccess(
            bootstrap=self.settings.bootstrap,
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-512",
            username=user,
            password=self.password(user),
            ca_file=str(self.tls.ca),
        )

    def service_passwords(self) -> dict[str, str]:
        """Every catalog service's password."""
        return {service: self.password(service) for service in services_of(CATALOG)}

    def cluster(self) -> KafkaCluster:
        """The node as the platform's processes see it."""
        return KafkaCluster(
            admin=self.access(),
            password_files={s: self.password_file(s) for s in services_of(CATALOG)},
        )

    def write_client_configs(self) -> Path:
        """``clients/admin.properties`` and ``clients/admin.librdkafka.conf``; returns the first."""
        clients = self.directory / "clients"
        clients.mkdir(parents=True, exist_ok=True)
        admin = self.access()
        properties = clients / "admin.properties"
        for path, text in (
            (properties, admin.java_properties()),
            (
                clients / "admin.librdkafka.conf",
                "".join(f"{k}={v}\n" for k, v in admin.librdkafka().items()),
            ),
        ):
            path.touch(mode=0o600, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return properties


def render_server_properties(settings: KafkaSettings, data_dir: Path, secrets: KafkaSecrets) -> str:
    """server.properties of the local single node (``cerchia_chassis.kafka_node``)."""
    return server_properties(
        Listeners(settings.host, settings.host, settings.port, settings.controller_port),
        data_dir=str(data_dir),
        tls=secrets.tls,
        broker_password=secrets.password(BROKER),
        node_id=settings.node_id,
        default_partitions=settings.default_partitions,
    )


def new_cluster_id() -> str:
    """A cluster id as ``kafka-storage random-uuid`` makes it: URL-safe base64 of a UUIDv4."""
    while True:
        candidate = uuid.uuid4()
        text = base64.urlsafe_b64encode(candidate.bytes).decode().rstrip("=")
        if candidate not in _RESERVED_IDS and not text.startswith("-"):
            return text


async def kafka_ready(access: KafkaAccess) -> bool:
    """Whether the cluster answers an authenticated metadata request and lists a broker."""
    host, _, port = access.bootstrap.rpartition(":")
    if not is_listening(int(port), host or LOCALHOST):
        return False
    admin = AIOKafkaAdminClient(**access.client_kwargs(), request_timeout_ms=5000)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except (KafkaError, OSError):
        return False
    finally:
        await admin.close()


async def secure(access: KafkaAccess, service_passwords: Mapping[str, str]) -> None:
    """The catalog's topics, the services' SCRAM users and the ACLs of the catalog."""
    await ensure_topics(access, catalog_topics())
    await asyncio.to_thread(apply_acls, access, service_passwords)


class KafkaBroker(Component):
    """Kafka 4.x on Java 17: ``kafka.tools.StorageTool format`` once, then ``kafka.Kafka``.

    Secured from the first start (``KafkaSecrets``): the node's storage is formatted with the
    SCRAM credentials of ``admin`` and ``broker``; ``secure()`` then adds the catalog's topics,
    the services' users and their ACLs.
    """

    name = "kafka"
    title = "Kafka"
    start_timeout = 90.0

    def __init__(
        self, *, root: Path, cache: Path, pom: Path, settings: KafkaSettings | None = None
    ) -> None:
        self.settings = settings or KafkaSettings()
        super().__init__(root=root, cache=cache, host=self.settings.host)
        self.pom = pom
        # The jar set depends on the Maven project (broker and tools): a new pom, a new install.
        digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:10] if pom.is_file() else "none"
        self.install_dir = cache / f"kafka-{KAFKA_VERSION}-{digest}"
        self.data_dir = self.home / "data"
        self.secrets = KafkaSecrets(self.home / "secrets", self.settings)
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

    def java(self, main_class: str, *args: str, heap: str | None = None) -> list[str]:
        """A command line running one of Kafka's main classes (the broker, a tool)."""
        return self._java(main_class, *args, heap=heap)

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
        self.secrets.ensure_tls()
        self.properties_path.write_text(
            render_server_properties(self.settings, self.data_dir, self.secrets), encoding="utf-8"
        )
        self.log4j_path.write_text(LOG4J2_YAML, encoding="utf-8")
        self.secrets.write_client_configs()
        if (self.data_dir / "meta.properties").is_file():
            self._check_same_controller()
            return
        cluster_id = new_cluster_id()
        scram = [
            arg
            for user in (BROKER, ADMIN)
            for arg in (
                "--add-scram",
                f"SCRAM-SHA-512=[name={user},password={self.secrets.password(user)}]",
            )
        ]
        format_command = self._java(
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "--ignore-formatted",
            "-t",
            cluster_id,
            "-c",
            str(self.properties_path),
            *scram,
        )
        run_tool(format_command, what="formatting the Kafka storage")
        record = {
            "cluster_id": cluster_id,
            "controller_port": self.settings.controller_port,
            "security": SECURITY_LAYOUT,
        }
        self._cluster_path.write_text(json.dumps(record), encoding="utf-8")

    def _check_same_controller(self) -> None:
        # --standalone formatting writes the controller's address into the metadata log.
        try:
            formatted = json.loads(self._cluster_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if formatted.get("security") != SECURITY_LAYOUT:
            raise StartupError(
                f"Kafka's storage in {self.data_dir} predates authentication (SASL/SCRAM over "
                "TLS and ACLs): `cerchia-stack down --purge` (or ./dev down --purge) to start "
                "again from empty storage"
            )
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
        """A real, authenticated metadata request."""
        return await kafka_ready(self.secrets.access())

    def endpoints(self) -> dict[str, str]:
        """The bootstrap address and the operators' client configuration."""
        return {
            "bootstrap": self.settings.bootstrap,
            "client config": str(self.secrets.directory / "clients" / "admin.properties"),
        }

    async def secure(self) -> None:
        """Topics, the services' users and the ACLs of the catalog (idempotent)."""
        await secure(self.secrets.access(), self.secrets.service_passwords())
