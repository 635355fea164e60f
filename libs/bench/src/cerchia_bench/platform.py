"""The services under measurement, as real processes wired to the run's servers and sinks."""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_bench.cpu import total_cpu_seconds
from cerchia_chassis.personal_data import KeyWrapper
from cerchia_chassis.sealing import OpeningKey
from cerchia_chassis.tokens import SigningKey
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.ports import LOCALHOST, free_port
from cerchia_devstack.service_process import ServiceProcess
from cerchia_devstack.services import Infrastructure, service, service_env

UNLIMITED = "1000000000"

#: Limits that protect production from abuse would measure the limiter, not the platform.
BENCH_ENV: Mapping[str, str] = {
    "CONTENT_POSTING_RATE_LIMIT": UNLIMITED,
    "NOTIFICATIONS_FANOUT_BUDGET_PER_HOUR": UNLIMITED,
    # Providers' sending rates are a contract with each provider, not the platform's capacity.
    "NOTIFICATIONS_SMTP_RATE": f"{UNLIMITED}/second",
    "NOTIFICATIONS_PUSH_RATE": f"{UNLIMITED}/second",
    # The push provider is a local sink on loopback, over plain http.
    "NOTIFICATIONS_PUSH_ALLOW_PRIVATE_NETWORKS": "true",
    "NOTIFICATIONS_PUSH_SERVICE_HOSTS": '["127.0.0.1"]',
    "GATEWAY_RATE_LIMIT_PER_IP": f"{UNLIMITED}/minute",
    "GATEWAY_RATE_LIMIT_PER_USER": f"{UNLIMITED}/minute",
}


@dataclass(frozen=True)
class Servers:
    """Where the run's Kafka, database and email provider are."""

    kafka: KafkaCluster
    mongo_uri: str
    smtp_host: str
    smtp_port: int


@dataclass
class Platform:
    """Content, notifications, membership, the gateway and the web client, as asked, each with a
    fresh database."""

    servers: Servers
    key: SigningKey
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    databases: dict[str, str] = field(default_factory=dict)
    environments: dict[str, dict[str, str]] = field(default_factory=dict)
    mongo: AsyncMongoClient[dict[str, Any]] | None = None
    #: The private half of the key membership seals one-time tokens to (notifications' key).
    opening: OpeningKey | None = None
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def group(self, name: str) -> str:
        """The consumer group (and service name) of one service of this platform."""
        return f"{name}-{self.suffix}"

    def url(self, name: str) -> str:
        """Base URL of one service."""
        return self.processes[name].url

    def headers(self, user_id: str) -> dict[str, str]:
        """A valid ``Authorization`` header for ``user_id``."""
        token = self.key.sign_access_token(user_id, issuer="cerchia-membership", audience="cerchia")
        return {"Authorization": f"Bearer {token}"}

    def db(self, name: str) -> AsyncDatabase[dict[str, Any]]:
        """The database of one service."""
        if self.mongo is None:
            self.mongo = AsyncMongoClient(self.servers.mongo_uri)
        return self.mongo[self.databases[name]]

    def pids(self, names: Sequence[str] | None = None) -> list[int]:
        """Process ids of the chosen services (all by default)."""
        chosen = names or list(self.processes)
        return [pid for name in chosen if (pid := self.processes[name].pid) is not None]

    def cpu_seconds(self, names: Sequence[str] | None = None) -> float:
        """CPU seconds the chosen services used so far."""
        return total_cpu_seconds(self.pids(names))

    async def start(
        self,
        names: Sequence[str],
        workdir: Path,
        *,
        env: Mapping[str, str] | None = None,
    ) -> "Platform":
        """Start services in order (the gateway after the services it points at, the web client
        after the gateway)."""
        key_path = workdir / f"signing-{uuid.uuid4().hex[:6]}.pem"
        await asyncio.to_thread(_write_key, key_path, self.key.pem())
        opening = self.opening = OpeningKey.generate()
        opening_path = workdir / f"token-opening-{uuid.uuid4().hex[:6]}.key"
        await asyncio.to_thread(_write_key, opening_path, opening.private_text().encode())
        personal_data_path = workdir / f"personal-data-{uuid.uuid4().hex[:6]}.keys"
        await asyncio.to_thread(_write_key, personal_data_path, KeyWrapper.generate().encode())
        infrastructure = Infrastructure(
            kafka=self.servers.kafka,
            mongo_uri=self.servers.mongo_uri,
            smtp_host=self.servers.smtp_host,
            smtp_port=self.servers.smtp_port,
            signing_key_file=str(key_path),
            jwks_json=json.dumps(self.key.jwks()),
            token_sealing_key=opening.public_text(),
            token_opening_keys_file=str(opening_path),
            personal_data_keys_file=str(personal_data_path),
        )
        suffix = self.suffix
        starts: list[Awaitable[None]] = []
        for name in names:
            spec = service(name)
            port = free_port()
            database = f"bench_{name}_{suffix}"
            variables = service_env(spec, infrastructure, port=port, database=database)
            variables.update(BENCH_ENV)
            # The service name is the consumer group: platforms sharing Kafka must not share it.
            variables[f"{spec.env_prefix}SERVICE_NAME"] = self.group(name)
            if name == "gateway":
                variables.update(
                    {
                        f"GATEWAY_{upstream.upper()}_URL": process.url
                        for upstream, process in self.processes.items()
                    }
                )
                variables["GATEWAY_READY_UPSTREAMS"] = json.dumps(sorted(self.processes))
            if name == "web":
                # The web client calls only the gateway, and builds its links on its own address.
                variables["WEB_GATEWAY_URL"] = self.processes["gateway"].url
                variables["WEB_PUBLIC_URL"] = f"http://{LOCALHOST}:{port}"
            variables.update(env or {})
            process = ServiceProcess(
                spec,
                env=variables,
                port=port,
                log_path=workdir / f"{name}-{suffix}.log",
                owned=True,
            )
            self.processes[name] = process
            self.databases[name] = database
            self.environments[name] = variables
            if name in ("gateway", "web"):
                # Each points at the services started before it: they must be up first.
                await asyncio.gather(*starts)
                starts.clear()
            starts.append(process.start(120))
        await asyncio.gather(*starts)
        return self

    async def replica(
        self, name: str, alias: str, workdir: Path, *, env: Mapping[str, str]
    ) -> ServiceProcess:
        """A second process of service ``name`` on the same database and consumer group."""
        port = free_port()
        spec = service(name)
        variables = {**self.environments[name], **env, f"{spec.env_prefix}HTTP_PORT": str(port)}
        process = ServiceProcess(
            spec,
            env=variables,
            port=port,
            log_path=workdir / f"{alias}-{self.suffix}.log",
            owned=True,
        )
        self.processes[alias] = process
        await process.start(120)
        return process

    async def close(self, *, drop: bool = True) -> None:
        """Stop every service and, unless told otherwise, drop their databases."""
        for process in reversed(list(self.processes.values())):
            if process.running():
                process.terminate(10.0)
        if self.mongo is not None:
            if drop:
                for database in set(self.databases.values()):
                    await self.mongo.drop_database(database)
            await self.mongo.close()
            self.mongo = None


def _write_key(path: Path, pem: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)
