"""Zipkin server (Maven Central exec jar): tracing UI and query API, spans kept in memory."""

from pathlib import Path

import httpx

from cerchia_devstack.component import Component
from cerchia_devstack.install import ensure_installed, maven_command, require_tool, run_tool

ZIPKIN_VERSION = "3.6.1"


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
        """A small heap and quick JIT: this serves one developer, not production."""
        java = require_tool("java", "running Zipkin (Java 17+)")
        return [
            java,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            str(self.jar),
            f"--armeria.ports[0].port={self.port}",
            f"--armeria.ports[0].ip={self.host}",
            "--armeria.ports[0].protocols=http",
        ]

    def environment(self) -> dict[str, str]:
        """In-memory storage."""
        return {"STORAGE_TYPE": "mem"}

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
