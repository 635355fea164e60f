"""The whole local platform: infrastructure components, catalog topics, then the services."""

import asyncio
import json
import shutil
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from cerchia_chassis import integrators
from cerchia_chassis.integrators import IntegratorAccess
from cerchia_chassis.personal_data import KeyWrapper
from cerchia_chassis.sealing import OpeningKey
from cerchia_devstack.component import Component
from cerchia_devstack.kafka import KafkaBroker, KafkaSettings
from cerchia_devstack.maildev import MailDev
from cerchia_devstack.mongo import SecantusDB
from cerchia_devstack.paths import kafka_pom
from cerchia_devstack.ports import LOCALHOST
from cerchia_devstack.process import ManagedProcess, ProcessRecord
from cerchia_devstack.service_process import ServiceProcess
from cerchia_devstack.services import (
    SERVICES,
    Infrastructure,
    ServiceSpec,
    is_present,
    service_env,
)
from cerchia_devstack.services import service as service_spec
from cerchia_devstack.web_assets import install_web_assets
from cerchia_devstack.zipkin import Zipkin


@dataclass(frozen=True)
class StackConfig:
    """Ports of the local platform (the defaults are the servers' usual ones)."""

    host: str = LOCALHOST
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    mongo_port: int = 27017
    smtp_port: int = 1025
    mail_ui_port: int = 1080
    zipkin_port: int = 9411

    @classmethod
    def load(cls, path: Path) -> "StackConfig":
        """The settings saved by the last ``up`` (defaults when none)."""
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in saved.items() if key in known})

    def save(self, path: Path) -> None:
        """Remember the settings so ``status``/``down`` and the next ``up`` use the same ports."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    def with_overrides(self, **overrides: Any) -> "StackConfig":
        """A copy with the non-None values replaced."""
        chosen = {key: value for key, value in overrides.items() if value is not None}
        return replace(self, **chosen)


@dataclass(frozen=True)
class LocalIntegrator:
    """Where ``integrator-local``'s client configuration is."""

    properties: Path


@dataclass(frozen=True)
class Health:
    """One row of ``status``."""

    name: str
    state: str
    pid: int | None
    where: str


class Stack:
    """The local platform under ``root`` (``<repo>/.stack``), downloads in ``cache``."""

    def __init__(self, config: StackConfig, *, root: Path, cache: Path, repo: Path) -> None:
        self.config = config
        self.root = root
        self.repo = repo
        host = config.host
        self.kafka = KafkaBroker(
            root=root,
            cache=cache,
            pom=kafka_pom(repo),
            settings=KafkaSettings(host, config.kafka_port, config.kafka_controller_port),
        )
        self.mongo = SecantusDB(root=root, cache=cache, port=config.mongo_port, host=host)
        self.maildev = MailDev(
            root=root,
            cache=cache,
            smtp_port=config.smtp_port,
            web_port=config.mail_ui_port,
            host=host,
        )
        self.zipkin = Zipkin(root=root, cache=cache, port=config.zipkin_port, host=host)
        self.components: tuple[Component, ...] = (self.kafka, self.mongo, self.maildev, self.zipkin)

    @property
    def infrastructure(self) -> Infrastructure:
        """What the services connect to."""
        opening = self.token_opening_key()
        return Infrastructure(
            kafka=self.kafka.secrets.cluster(),
            mongo_uri=self.mongo.uri,
            smtp_host=self.config.host,
            smtp_port=self.config.smtp_port,
            zipkin_spans_endpoint=self.zipkin.spans_endpoint,
            signing_key_file=str(self.root / "keys" / "membership-signing.pem"),
            jwks_url=f"http://{self.config.host}:{service_spec('membership').port}"
            "/.well-known/jwks.json",
            token_sealing_key=opening.public_text(),
            token_opening_keys_file=str(self._token_key_path),
            personal_data_keys_file=str(self.personal_data_keys()),
        )

    @property
    def _token_key_path(self) -> Path:
        return self.root / "keys" / "notifications-token-opening.key"

    def token_opening_key(self) -> OpeningKey:
        """The notifications service's token key, made on first use and kept."""
        path = self._token_key_path
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(OpeningKey.generate().private_text(), encoding="utf-8")
        return OpeningKey.from_text(path.read_text(encoding="utf-8"))

    def personal_data_keys(self) -> Path:
        """The file of the key-encryption keys of personal data on Kafka, made on first use."""
        path = self.root / "keys" / "personal-data.keys"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(KeyWrapper.generate(), encoding="utf-8")
        return path

    def service(self, spec: ServiceSpec) -> ServiceProcess:
        """The process of one service, on its registry port, recorded for ``down``."""
        env = service_env(spec, self.infrastructure)
        # A developer looking for a request in Zipkin should not wait out 5 s span batches.
        env.setdefault("OTEL_BSP_SCHEDULE_DELAY", "1000")
        return ServiceProcess(
            spec,
            env=env,
            port=spec.port,
            host=self.config.host,
            log_path=self.root / "logs" / f"{spec.name}.log",
            record_path=self.root / "run" / f"{spec.name}.json",
        )

    async def install(self) -> None:
        """Download what is missing; one thread per tool (Maven downloads stay sequential)."""
        by_tool: dict[str, list[Component]] = defaultdict(list)
        tools = {"kafka": "mvn", "zipkin": "mvn", "mongodb": "uv", "maildev": "npm"}
        for component in self.components:
            by_tool[tools.get(component.name, component.name)].append(component)

        def install_all(group: list[Component]) -> None:
            for component in group:
                component.install()

        await asyncio.gather(
            asyncio.to_thread(install_web_assets, self.repo),
            *(asyncio.to_thread(install_all, g) for g in by_tool.values()),
        )

    async def start_infrastructure(self, started: list[str]) -> None:
        """Start (or reuse) every component and wait until all answer."""
        waiting = []
        for component in self.components:
            if component.adopt():
                print(f"  {component.title}: already running (pid {component.process.pid})")
            else:
                component.start()
                started.append(component.name)
                print(f"  {component.title}: starting (log: {component.log_path})", flush=True)
            waiting.append(self._wait_component(component))
        await asyncio.gather(*waiting)

    async def _wait_component(self, component: Component) -> None:
        seconds = await component.wait_ready()
        print(f"  {component.title}: ready ({seconds:.1f}s)", flush=True)

    async def create_topics(self) -> None:
        """The catalog's topics and dead-letter topics, the services' users and their ACLs,
        and a local integrator to try the public topics with."""
        await self.kafka.secure()
        await asyncio.to_thread(self.local_integrator, create=True)
        print("  topics, service users and ACLs: from the catalog")

    def local_integrator(self, *, create: bool = False) -> IntegratorAccess | LocalIntegrator:
        """``integrator-local``'s client configuration (made by ``up`` once, kept after)."""
        directory = self.root / "kafka" / "integrators"
        known = LocalIntegrator(directory / "integrator-local.properties")
        if known.properties.is_file() or not create:
            return known
        return integrators.create(self.kafka.secrets.access(), "local", directory=directory)

    async def start_services(self, started: list[str]) -> list[ServiceProcess]:
        """Start (or reuse) every service present in the checkout; wait until healthy."""
        processes = []
        for spec in SERVICES:
            if not is_present(spec):
                print(f"  service {spec.name}: skipped (no {spec.module}.__main__ yet)")
                continue
            process = self.service(spec)
            if process.adopt():
                print(f"  service {spec.name}: already running (pid {process.pid})")
            else:
                process.spawn()
                started.append(spec.name)
                print(f"  service {spec.name}: starting (log: {process.log_path})", flush=True)
            processes.append(process)
        waits = [process.wait_healthy() for process in processes]
        for process, seconds in zip(processes, await asyncio.gather(*waits), strict=True):
            print(f"  service {process.name}: healthy ({seconds:.1f}s)", flush=True)
        return processes

    def records(self) -> dict[str, ProcessRecord]:
        """Every pid record under ``run/``, live or stale."""
        found = {}
        for path in sorted((self.root / "run").glob("*.json")):
            record = ProcessRecord.load(path)
            if record is not None:
                found[record.name] = record
        return found

    def stop(self, names: list[str] | None = None, timeout: float = 20.0) -> list[str]:
        """Stop recorded processes (all when ``names`` is None): services first, Kafka last."""
        infra_order = [component.name for component in reversed(self.components)]
        records = self.records()
        selected = [name for name in records if names is None or name in names]
        ordered = [n for n in selected if n not in infra_order] + [
            n for n in infra_order if n in selected
        ]
        stopped = []
        for name in ordered:
            record = records[name]
            path = self.root / "run" / f"{name}.json"
            if not record.is_live():
                path.unlink(missing_ok=True)
                continue
            print(f"  stopping {name} (pid {record.pid}) ...", flush=True)
            began = time.monotonic()
            process = ManagedProcess(
                name, record.argv, log_path=Path(record.log_path), record_path=path
            )
            if process.adopt():
                process.terminate(timeout)
            print(f"  stopped {name} ({time.monotonic() - began:.1f}s)", flush=True)
            stopped.append(name)
        return stopped

    def purge(self) -> None:
        """Delete all data, logs and settings under the state directory."""
        if self.records() and any(record.is_live() for record in self.records().values()):
            raise RuntimeError("stop the stack before purging its data")
        shutil.rmtree(self.root, ignore_errors=True)

    async def health(self) -> list[Health]:
        """What runs (from the pid records) and whether it answers."""
        rows = []
        records = self.records()
        for component in self.components:
            record = records.get(component.name)
            live = record is not None and record.is_live()
            answering = live and await component.probe()
            state = "ready" if answering else ("running, not answering" if live else "stopped")
            where = ", ".join(component.endpoints().values())
            rows.append(
                Health(component.name, state, record.pid if live and record else None, where)
            )
        for spec in SERVICES:
            record = records.get(spec.name)
            process = self.service(spec)
            live = record is not None and record.is_live()
            if live:
                state = "healthy" if await process.healthy() else "running, not healthy"
            else:
                state = "stopped" if is_present(spec) else "not in this checkout"
            rows.append(
                Health(spec.name, state, record.pid if live and record else None, process.url)
            )
        return rows
