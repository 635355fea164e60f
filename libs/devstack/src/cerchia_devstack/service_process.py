"""One service running as ``python -m <module>``: start, wait healthy, stop, SIGKILL, restart."""

import sys
from collections.abc import Mapping
from pathlib import Path

import httpx

from cerchia_devstack.ports import LOCALHOST, lineage, pid_listening_on, port_in_use
from cerchia_devstack.process import ManagedProcess
from cerchia_devstack.readiness import StartupError, wait_until
from cerchia_devstack.services import ServiceSpec


class ServiceProcess:
    """A service process with the workspace interpreter, its output appended to ``log_path``.

    Healthy means ``GET /health/ready`` answers 200. End-to-end tests use ``kill()`` (SIGKILL,
    no shutdown hooks) and ``restart()`` to check that nothing is lost across a crash.
    """

    def __init__(
        self,
        spec: ServiceSpec,
        *,
        env: Mapping[str, str],
        port: int,
        log_path: Path,
        host: str = LOCALHOST,
        record_path: Path | None = None,
        owned: bool = False,
    ) -> None:
        self.spec = spec
        self.port = port
        self.host = host
        self._owned = owned
        self.process = ManagedProcess(
            spec.name,
            [sys.executable, "-m", spec.module],
            log_path=log_path,
            env=env,
            record_path=record_path,
            details={"api": self.url, "docs": f"{self.url}/docs"},
        )

    @property
    def name(self) -> str:
        """The service's name."""
        return self.spec.name

    @property
    def url(self) -> str:
        """Base URL of its HTTP API."""
        return f"http://{self.host}:{self.port}"

    @property
    def health_url(self) -> str:
        """The readiness endpoint."""
        return f"{self.url}/health/ready"

    @property
    def log_path(self) -> Path:
        """Where its output goes."""
        return self.process.log_path

    @property
    def pid(self) -> int | None:
        """Its process id once started."""
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        """Exit status once it ended (``-9`` after ``kill()``)."""
        return self.process.returncode

    def running(self) -> bool:
        """Whether the process is alive."""
        return self.process.running()

    def adopt(self) -> bool:
        """Reuse the same service left running by an earlier ``up``."""
        return self.process.adopt()

    def spawn(self) -> None:
        """Start the process without waiting for it."""
        if port_in_use(self.port, self.host):
            raise StartupError(f"{self.name}: port {self.port} is already in use")
        self.process.start(owned=self._owned)

    async def start(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Start the process and wait until it is healthy."""
        self.spawn()
        await self.wait_healthy(timeout)

    async def healthy(self) -> bool:
        """One readiness request."""
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(self.health_url)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and self.answers_itself()

    def answers_itself(self) -> bool:
        """Whether the process listening on the port is this one (or a child of it).

        A port chosen free can be taken by another process before this one binds it (suites run
        in parallel); that process's readiness must not pass for this one's. Where procfs does
        not show the listener, the answer is taken as this process's."""
        listener, ours = pid_listening_on(self.port), self.pid
        if listener is None or ours is None:
            return True
        return ours in lineage(listener)

    async def wait_healthy(self, timeout: float = 60.0) -> float:  # noqa: ASYNC109
        """Wait for readiness; fail early, with the log tail, if the process exits."""
        return await wait_until(
            self.healthy,
            what=f"service {self.name}",
            timeout=timeout,
            interval=0.2,
            still_alive=self.process.running,
            diagnostics=lambda: f"--- last lines of {self.log_path}:\n{self.process.log_tail()}",
        )

    def terminate(self, timeout: float = 10.0) -> int | None:
        """Graceful stop (SIGTERM: shutdown hooks run), SIGKILL after ``timeout`` seconds."""
        self.process.terminate(timeout)
        return self.returncode

    def kill(self) -> int | None:
        """Crash it: SIGKILL to the process group, no shutdown hooks."""
        self.process.kill()
        return self.returncode

    async def restart(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Stop it if it still runs, start it again with the same environment, wait healthy."""
        if self.running():
            self.terminate()
        await self.start(timeout)
