"""Infrastructure for a test session: explicit env → testcontainers → local processes.

Each piece starts on first request only, on free ports with data in a temporary directory, and
``close()`` removes whatever this session started (never what the environment pointed to).
"""

import contextlib
import os
from pathlib import Path

from cerchia_devstack import containers
from cerchia_devstack.component import Component
from cerchia_devstack.kafka import KafkaBroker, KafkaSettings, kafka_ready
from cerchia_devstack.mail_sink import HttpMailbox, InProcessSmtpSink, MailSink
from cerchia_devstack.mongo import SecantusDB
from cerchia_devstack.paths import cache_dir, kafka_pom, repo_root
from cerchia_devstack.ports import LOCALHOST, free_ports
from cerchia_devstack.readiness import run_blocking, wait_until
from cerchia_devstack.topics import catalog_topics, ensure_topics
from cerchia_devstack.trace_backend import TraceBackend
from cerchia_devstack.zipkin import Zipkin

KAFKA_ENV = "CERCHIA_KAFKA_BOOTSTRAP"
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
        self._kafka: str | None = None
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

    def kafka_bootstrap(self) -> str:
        """``host:port`` of a Kafka cluster on which the catalog's topics exist."""
        if self._kafka is None:
            bootstrap = os.environ.get(KAFKA_ENV, "")
            if bootstrap:
                external = bootstrap

                async def reachable() -> bool:
                    return await kafka_ready(external)

                what = f"Kafka at {KAFKA_ENV}={bootstrap}"
                run_blocking(lambda: wait_until(reachable, what=what, timeout=30))
            elif containers.docker_available():
                bootstrap, stop = containers.start_kafka()
                self._cleanup.callback(stop)
            else:
                port, controller_port = free_ports(2)
                broker = KafkaBroker(
                    root=self.workdir,
                    cache=self.cache,
                    pom=kafka_pom(repo_root()),
                    settings=KafkaSettings(LOCALHOST, port, controller_port),
                )
                self._run_local(broker)
                bootstrap = broker.settings.bootstrap
            run_blocking(lambda: ensure_topics(bootstrap, catalog_topics()))
            self._kafka = bootstrap
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
