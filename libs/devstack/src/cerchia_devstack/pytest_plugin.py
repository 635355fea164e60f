"""Pytest fixtures: real Kafka, MongoDB, SMTP sink and Zipkin, and a service process factory.

Loaded by the root ``conftest.py`` (``pytest_plugins = ["cerchia_devstack.pytest_plugin"]``).
The infrastructure fixtures are session-scoped and start on first use only, so unit tests start
nothing. They are plain (sync) fixtures returning loop-agnostic objects, so they work with any
pytest-asyncio loop scope.
"""

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.personal_data import KeyWrapper, opened_event, opened_payload
from cerchia_chassis.sealing import Opener, OpeningKey
from cerchia_chassis.tokens import SigningKey
from cerchia_contracts.catalog import AnyEvent, Topic
from cerchia_contracts.events.membership.tokens import SealedToken, sealing_context
from cerchia_devstack.group_offsets import end_offsets, run_apart, start_groups_at
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.ports import free_port
from cerchia_devstack.provision import TestInfrastructure
from cerchia_devstack.service_process import ServiceProcess
from cerchia_devstack.services import Infrastructure, is_present, service, service_env
from cerchia_devstack.trace_backend import TraceBackend

# Spans reach Zipkin within a fraction of a second instead of the SDK's default 5 s batches.
_TEST_SERVICE_ENV = {"OTEL_BSP_SCHEDULE_DELAY": "200"}


@pytest.fixture(scope="session")
def cerchia_infrastructure(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestInfrastructure]:
    """The session's infrastructure provider (use the fixtures below instead)."""
    infrastructure = TestInfrastructure(tmp_path_factory.mktemp("cerchia-stack"))
    try:
        yield infrastructure
    finally:
        infrastructure.close()


@pytest.fixture(scope="session")
def kafka(cerchia_infrastructure: TestInfrastructure) -> KafkaCluster:
    """A secured Kafka cluster where every catalog topic and its ``.dlq``, the services' users
    and the catalog's ACLs exist. ``kafka.admin`` connects as an operator (a super user):
    ``AIOKafkaConsumer(**kafka.admin.client_kwargs())``; ``kafka.service(name)`` as a service.
    """
    return cerchia_infrastructure.kafka()


@pytest.fixture(scope="session")
def mongo_uri(cerchia_infrastructure: TestInfrastructure) -> str:
    """A MongoDB-compatible replica set: transactions, change streams, unique/TTL indexes."""
    return cerchia_infrastructure.mongo_uri()


@pytest.fixture(scope="session")
def smtp_sink(cerchia_infrastructure: TestInfrastructure) -> MailSink:
    """An SMTP server (``.host``, ``.port``) with ``await messages()``, ``await wait_for()``."""
    return cerchia_infrastructure.smtp_sink()


@pytest.fixture(scope="session")
def trace_backend(cerchia_infrastructure: TestInfrastructure) -> TraceBackend:
    """A Zipkin server: ``.spans_endpoint`` for exporters, ``await trace(id)`` for assertions."""
    return cerchia_infrastructure.trace_backend()


@dataclass(frozen=True)
class AuthKeys:
    """The session's keys: the access-token signing key (membership signs with it and every
    service trusts it) and the notifications service's token opening key (membership seals the
    tokens of its emails to its public half)."""

    key: SigningKey
    path: Path
    opening: OpeningKey
    opening_path: Path
    #: The key-encryption keys of personal data on Kafka (``cerchia_chassis.personal_data``).
    personal_data_path: Path

    def open_token(self, event: AnyEvent) -> str:
        """The single-use token a ``membership.tokens.v2`` event carries, opened."""
        sealed = getattr(event.data, "token", None)
        if not isinstance(sealed, SealedToken):
            raise TypeError(f"{event.type} carries no sealed token")
        opener = Opener([self.opening])
        return opener.open(sealed, context=sealing_context(event.type, event.subject or ""))

    @property
    def personal_data(self) -> KeyWrapper:
        """The key-encryption keys the services hold."""
        return KeyWrapper.from_text(self.personal_data_path.read_text(encoding="utf-8"))

    async def opened(self, access: KafkaAccess, event: AnyEvent) -> AnyEvent:
        """An event read from a topic, its personal fields opened as a reader does."""
        return await opened_event(access, self.personal_data, event)

    async def opened_payload(self, access: KafkaAccess, topic: Topic, payload: bytes) -> bytes:
        """A record's value, its personal fields opened (a sealed list does not decode before)."""
        return await opened_payload(access, self.personal_data, topic, payload)

    def token(self, user_id: str) -> str:
        """A valid access token for ``user_id``, as membership issues them."""
        return self.key.sign_access_token(user_id, issuer="cerchia-membership", audience="cerchia")

    def headers(self, user_id: str) -> dict[str, str]:
        """``Authorization`` header for ``user_id``."""
        return {"Authorization": f"Bearer {self.token(user_id)}"}


@pytest.fixture(scope="session")
def auth_keys(tmp_path_factory: pytest.TempPathFactory) -> AuthKeys:
    """Sign test requests with ``auth_keys.headers(user_id)``."""
    key = SigningKey.generate()
    directory = tmp_path_factory.mktemp("keys")
    path = directory / "membership-signing.pem"
    path.write_bytes(key.pem())
    opening = OpeningKey.generate()
    opening_path = directory / "notifications-token-opening.key"
    opening_path.write_text(opening.private_text(), encoding="utf-8")
    personal_data_path = directory / "personal-data.keys"
    personal_data_path.write_text(KeyWrapper.generate(), encoding="utf-8")
    return AuthKeys(key, path, opening, opening_path, personal_data_path)


class ServiceFactory:
    """Starts platform services as processes wired to the session's infrastructure.

    Each factory (one per test) gives its services consumer groups of their own, which start
    where the topics ended when the factory was made — before the test produced anything. A
    service therefore sees all of its test's records and none of the earlier tests' history,
    however long the session has run; a service restarted within the test resumes its group.
    """

    def __init__(
        self, request: pytest.FixtureRequest, workdir: Path, kafka: KafkaCluster, mongo_uri: str
    ) -> None:
        self._request = request
        self._workdir = workdir
        self._kafka = kafka
        self._mongo_uri = mongo_uri
        self.spawned: list[ServiceProcess] = []
        self._suffix = uuid.uuid4().hex[:8]
        self._start = run_apart(end_offsets(kafka.admin))
        self._positioned: set[str] = set()

    def group(self, name: str) -> str:
        """The consumer group of service ``name`` in this factory."""
        return f"{name}-t{self._suffix}"

    async def __call__(
        self,
        name: str,
        *,
        database: str | None = None,
        env: Mapping[str, str] | None = None,
        port: int | None = None,
        tracing: bool | None = None,
        wait: bool = True,
        timeout: float = 60.0,  # noqa: ASYNC109 - the readiness deadline of the new process
    ) -> ServiceProcess:
        """Start service ``name`` on a free port and (unless ``wait=False``) wait until healthy.

        ``database`` isolates its MongoDB database (default: the service's name); ``env``
        overrides any variable. Traces go to ``trace_backend`` when ``tracing`` is True, or when
        it is None and the test uses that fixture. SMTP goes to ``smtp_sink`` if it sends mail.
        """
        spec = service(name)
        if not is_present(spec):
            raise LookupError(f"service {name} cannot run: {spec.module}.__main__ does not exist")
        sink: MailSink | None = None
        if spec.uses_smtp:
            sink = self._request.getfixturevalue("smtp_sink")
        if tracing is None:
            tracing = "trace_backend" in self._request.fixturenames
        traces: TraceBackend | None = None
        if tracing:
            traces = self._request.getfixturevalue("trace_backend")
        keys: AuthKeys = self._request.getfixturevalue("auth_keys")
        infrastructure = Infrastructure(
            kafka=self._kafka,
            mongo_uri=self._mongo_uri,
            smtp_host=sink.host if sink is not None else None,
            smtp_port=sink.port if sink is not None else None,
            zipkin_spans_endpoint=traces.spans_endpoint if traces is not None else None,
            signing_key_file=str(keys.path),
            jwks_json=json.dumps(keys.key.jwks()),
            token_sealing_key=keys.opening.public_text(),
            token_opening_keys_file=str(keys.opening_path),
            personal_data_keys_file=str(keys.personal_data_path),
        )
        chosen_port = port if port is not None else free_port()
        variables = service_env(spec, infrastructure, port=chosen_port, database=database)
        variables.update(_TEST_SERVICE_ENV)
        variables[f"{spec.env_prefix}KAFKA_GROUP_ID"] = self.group(name)
        variables.update(env or {})
        group = variables[f"{spec.env_prefix}KAFKA_GROUP_ID"]
        if group not in self._positioned:
            await start_groups_at(self._kafka.admin, [group], self._start)
            self._positioned.add(group)
        count = sum(1 for process in self.spawned if process.name == name)
        log_name = f"{name}.log" if count == 0 else f"{name}-{count + 1}.log"
        process = ServiceProcess(
            spec, env=variables, port=chosen_port, log_path=self._workdir / log_name, owned=True
        )
        self.spawned.append(process)
        if wait:
            await process.start(timeout)
        else:
            process.spawn()
        return process

    def close(self) -> None:
        """Stop every process this factory started (SIGKILL after 5 s)."""
        for process in reversed(self.spawned):
            if process.running():
                process.terminate(5.0)


@pytest.fixture
def service_process(
    request: pytest.FixtureRequest, kafka: KafkaCluster, mongo_uri: str, tmp_path: Path
) -> Iterator[ServiceFactory]:
    """``await service_process("membership", database=...)`` → a healthy ``ServiceProcess``.

    Every process it started is stopped when the test ends.
    """
    factory = ServiceFactory(request, tmp_path, kafka, mongo_uri)
    try:
        yield factory
    finally:
        factory.close()
