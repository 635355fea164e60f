"""Infrastructure for a test session: explicit env → testcontainers → local processes.

Each piece starts on first request only, on free ports with data in a temporary directory, and
``close()`` removes whatever this session started (never what the environment pointed to).
"""

import contextlib
import os
from pathlib import Path

from cerchia_chassis.acls import services_of
from cerchia_chassis.kafka_access import CONFIG_ENV, KafkaAccess
from cerchia_contracts.catalog import CATALOG
from cerchia_devstack import containers
from cerchia_devstack.component import Component
from cerchia_devstack.kafka import KafkaBroker, KafkaCluster, KafkaSettings, kafka_ready, secure
from cerchia_devstack.mail_sink import HttpMailbox, InProcessSmtpSink, MailSink
from cerchia_devstack.mongo import SecantusDB
from cerchia_devstack.paths import cache_dir, kafka_pom, repo_root
from cerchia_devstack.ports import LOCALHOST, free_ports
from cerchia_devstack.readiness import run_blocking, wait_until
from cerchia_devstack.trace_backend import TraceBackend
from cerchia_devstack.zipkin import Zipkin

#: An existing cluster for the tests: the operators' client configuration (a super user's).
KAFKA_ENV = CONFIG_ENV
MONGO_ENV = "CERCHIA_MONGO_URI"
SMTP_HOST_ENV, SMTP_PORT_ENV, SMTP_API_ENV = (
    "CERCHIA_SMTP_HOST",
    "CERCHIA_SMTP_PORT",
    "CERCHIA_SMTP_API",
)
ZIPKIN_ENV = "CERCHIA_ZIPKIN_URL"


class TestInfrastructure:
    """Lazily provides Kafka, MongoDB, an SMTP sink and a trace backend to one test session."""

    __test__ = False  # not a test class, whatever pytest's name heuristics say

    def __init__(self, workdir: Path, cache: Path | None = None) -> None:
        self.workdir = workdir
        self.cache = cache or cache_dir()
        self._cleanup = contextlib.ExitStack()
        self._kafka: KafkaCluster | None = None
        self._mongo: str | None = None
        self._smtp: MailSink | None = None
        self._traces: TraceBackend | None = None

    def close(self) -> None:
        """Stop everything this session started, last started first."""
        self._cleanup.close()

    def _run_local(self, component: Component) -> None:
        print(f"\n[cerchia-devstack] starting {component.title} under {self.workdir}", flush=True)
        component.install()
        component.start(owned=True)
        try:
            run_blocking(component.wait_ready)
        except BaseException:
            component.stop(5.0)
            raise
        self._cleanup.callback(component.stop, 10.0)

    def kafka(self) -> KafkaCluster:
        """A secured Kafka cluster on which the catalog's topics, the services' users and the
        catalog's ACLs exist; connect as an operator with ``.admin``.

        The local broker is a process of this session (``KafkaBroker``), secured as ``./dev up``
        secures its own. ``CERCHIA_KAFKA_CONFIG`` names an existing cluster's operator client
        configuration instead; the services' users get fresh passwords there. Testcontainers is
        not used for Kafka: the broker's security (its certificates, SCRAM users and ACLs) is
        set up by this code, the same way on every machine.
        """
        if self._kafka is None:
            config = os.environ.get(KAFKA_ENV, "")
            if config:
                admin = KafkaAccess.from_config_file(config)

                async def reachable() -> bool:
                    return await kafka_ready(admin)

                what = f"Kafka at {KAFKA_ENV}={config}"
                run_blocking(lambda: wait_until(reachable, what=what, timeout=30))
                passwords = self.workdir / "kafka-passwords"
                passwords.mkdir(parents=True, exist_ok=True)
                files = {}
                for service in services_of(CATALOG):
                    files[service] = passwords / f"{service}.password"
                    files[service].write_text(os.urandom(18).hex(), encoding="utf-8")
                cluster = KafkaCluster(admin=admin, password_files=files)
            else:
                port, controller_port = free_ports(2)
                broker = KafkaBroker(
                    root=self.workdir,
                    cache=self.cache,
                    pom=kafka_pom(repo_root()),
                    settings=KafkaSettings(LOCALHOST, port, controller_port),
                )
                self._run_local(broker)
                cluster = broker.secrets.cluster()
            passwords_by_service = {
                name: path.read_text(encoding="utf-8").strip()
                for name, path in cluster.password_files.items()
            }
            run_blocking(lambda: secure(cluster.admin, passwords_by_service))
            self._kafka = cluster
        return self._kafka

    def mongo_uri(self) -> str:
        """Connection string of a MongoDB-compatible replica set (transactions work)."""
        if self._mongo is None:
            # An explicit URI is used as given: it may need TLS or auth only the driver knows.
            uri = os.environ.get(MONGO_ENV, "")
            if not uri and containers.docker_available():
                uri, stop = containers.start_mongo()
                self._cleanup.callback(stop)
            elif not uri:
                server = SecantusDB(root=self.workdir, cache=self.cache, port=free_ports(1)[0])
                self._run_local(server)
                uri = server.uri
            self._mongo = uri
        return self._mongo

    def smtp_sink(self) -> MailSink:
        """An SMTP server whose received messages tests can read."""
        if self._smtp is None:
            host, port, api = (
                os.environ.get(name) for name in (SMTP_HOST_ENV, SMTP_PORT_ENV, SMTP_API_ENV)
            )
            if host and port and api:
                self._smtp = HttpMailbox(host, int(port), api)
            elif containers.docker_available():
                host, smtp_port, api, stop = containers.start_mailpit()
                self._cleanup.callback(stop)
                self._smtp = HttpMailbox(host, smtp_port, api)
            else:
                sink = InProcessSmtpSink().start()
                self._cleanup.callback(sink.stop)
                self._smtp = sink
        return self._smtp

    def trace_backend(self) -> TraceBackend:
        """A Zipkin-compatible server that receives spans and answers trace queries."""
        if self._traces is None:
            url = os.environ.get(ZIPKIN_ENV)
            if url:
                backend = TraceBackend(url)
            elif containers.docker_available():
                url, stop = containers.start_zipkin()
                self._cleanup.callback(stop)
                backend = TraceBackend(url)
            else:
                server = Zipkin(root=self.workdir, cache=self.cache, port=free_ports(1)[0])
                self._run_local(server)
                backend = TraceBackend(server.api_url)
            self._traces = backend
        return self._traces
