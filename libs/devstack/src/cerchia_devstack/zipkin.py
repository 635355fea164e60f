"""Zipkin server (Maven Central exec jar): tracing UI and query API, spans kept in memory."""

from pathlib import Path

import httpx

from cerchia_devstack.component import Component
from cerchia_devstack.install import ensure_installed, maven_command, require_tool, run_tool

ZIPKIN_VERSION = "3.6.1"
#: Spans kept in memory (Zipkin drops the oldest traces beyond it; its default, 500 000, does
#: not fit any small heap: at -Xmx256m it ran out of memory after about 12 busy minutes).
MAX_SPANS = 60_000
#: Room for MAX_SPANS at a few KB each, plus the server itself.
HEAP = "512m"


class Zipkin(Component):
    """``java -jar zipkin-server-<v>-exec.jar`` bound to the loopback interface."""

    name = "zipkin"
    title = "Zipkin"

    def __init__(self, *, root: Path, cache: Path, port: int = 9411, host: str = "127.0.0.1"):
        super().__init__(root=root, cache=cache, host=host)
        self.port = port
        self.install_dir = cache / f"zipkin-{ZIPKIN_VERSION}"
        self.jar = self.install_dir / f"zipkin-server-{ZIPKIN_VERSION}-exec.jar"

    @property
    def api_url(self) -> str:
        """Base URL of the UI and of the v2 API."""
        return f"http://{self.host}:{self.port}"

    @property
    def spans_endpoint(self) -> str:
        """Where OpenTelemetry's Zipkin exporter posts spans."""
        return f"{self.api_url}/api/v2/spans"

    def install(self) -> None:
        """``mvn dependency:copy`` of the exec jar."""

        def build(target: Path) -> None:
            artifact = f"io.zipkin:zipkin-server:{ZIPKIN_VERSION}:jar:exec"
            run_tool(
                maven_command(
                    "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={target}"
                ),
                what="downloading the Zipkin server",
            )

        ensure_installed(
            self.install_dir, build, what=f"Zipkin server {ZIPKIN_VERSION}", cache=self.cache
        )

    def command(self) -> list[str]:
        """A heap sized for ``MAX_SPANS`` and quick JIT: this serves one developer, not
        production (docker-compose and Kubernetes run Jaeger)."""
        java = require_tool("java", "running Zipkin (Java 17+)")
        return [
            java,
            f"-Xmx{HEAP}",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            str(self.jar),
            f"--armeria.ports[0].port={self.port}",
            f"--armeria.ports[0].ip={self.host}",
            "--armeria.ports[0].protocols=http",
        ]

    def environment(self) -> dict[str, str]:
        """In-memory storage, bounded: the oldest traces go first."""
        return {"STORAGE_TYPE": "mem", "MEM_MAX_SPANS": str(MAX_SPANS)}

    def ports(self) -> tuple[int, ...]:
        """HTTP (UI, API and span collection)."""
        return (self.port,)

    async def probe(self) -> bool:
        """The query API answers."""
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(f"{self.api_url}/api/v2/services")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def endpoints(self) -> dict[str, str]:
        """UI and span collector."""
        return {"ui": f"{self.api_url}/zipkin/", "spans": self.spans_endpoint}
