"""The shared shape of the stack's servers: install, start, ready, stop."""

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from cerchia_devstack.ports import LOCALHOST, port_in_use
from cerchia_devstack.process import ManagedProcess
from cerchia_devstack.readiness import StartupError, wait_until


class PortBusyError(StartupError):
    """A port the component needs is taken by a process the stack did not start."""


class Component(ABC):
    """A server run as a local process.

    Downloads go to ``cache``; everything else lives under ``root``: ``<root>/<name>/`` for data
    and configuration, ``<root>/logs/<name>.log``, ``<root>/run/<name>.json`` (its pid record).
    The CLI uses ``<repo>/.stack`` as root, the pytest fixtures a temporary directory.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    start_timeout: ClassVar[float] = 60.0

    def __init__(self, *, root: Path, cache: Path, host: str = LOCALHOST) -> None:
        self.root = root
        self.cache = cache
        self.host = host
        self.home = root / self.name
        self.log_path = root / "logs" / f"{self.name}.log"
        self.record_path = root / "run" / f"{self.name}.json"
        self._process: ManagedProcess | None = None

    # What each server defines.

    @abstractmethod
    def install(self) -> None:
        """Download the server into the cache unless it is already there."""

    def prepare(self) -> None:
        """Write configuration and initialise storage; keep existing data."""
        self.home.mkdir(parents=True, exist_ok=True)

    @abstractmethod
    def command(self) -> list[str]:
        """The command line that runs the server in the foreground."""

    def environment(self) -> dict[str, str]:
        """Variables added to the inherited environment."""
        return {}

    @abstractmethod
    def ports(self) -> tuple[int, ...]:
        """Every port the server listens on."""

    @abstractmethod
    async def probe(self) -> bool:
        """One real request (not just a port check): does the server answer?"""

    @abstractmethod
    def endpoints(self) -> dict[str, str]:
        """What to show developers: label → address."""

    # Shared lifecycle.

    @property
    def process(self) -> ManagedProcess:
        """The server's process (built on first use from ``command()``)."""
        if self._process is None:
            self._process = ManagedProcess(
                self.name,
                self.command(),
                log_path=self.log_path,
                env=self.environment(),
                cwd=self.home,
                record_path=self.record_path,
                details=self.endpoints(),
            )
        return self._process

    def adopt(self) -> bool:
        """Reuse this server if an earlier invocation left it running with the same settings."""
        return self.process.adopt()

    def start(self, *, owned: bool = False) -> None:
        """Prepare and spawn the server; fail fast when one of its ports is taken."""
        for port in self.ports():
            if port_in_use(port, self.host):
                raise PortBusyError(
                    f"{self.title}: port {port} is already in use by another process "
                    f"(stop it, or choose other ports: `cerchia-stack up --help`)"
                )
        self.prepare()
        self.home.mkdir(parents=True, exist_ok=True)
        self.process.start(owned=owned)

    async def wait_ready(self, timeout: float | None = None) -> float:  # noqa: ASYNC109
        """Wait until ``probe()`` answers; fail early with the log tail if the process dies."""
        return await wait_until(
            self.probe,
            what=self.title,
            timeout=self.start_timeout if timeout is None else timeout,
            still_alive=self.process.running,
            diagnostics=lambda: f"--- last lines of {self.log_path}:\n{self.process.log_tail()}",
        )

    def running(self) -> bool:
        """Whether the process is alive."""
        return self.process.running()

    def stop(self, timeout: float = 20.0) -> None:
        """Ask the server to shut down cleanly; kill it after ``timeout`` seconds."""
        self.process.terminate(timeout)
