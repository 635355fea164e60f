"""MailDev (npm): an SMTP sink with a web UI and a REST API, for developers."""

from pathlib import Path

import httpx

from cerchia_devstack.component import Component
from cerchia_devstack.install import ensure_installed, require_tool, run_tool
from cerchia_devstack.ports import is_listening

MAILDEV_VERSION = "2.2.1"


class MailDev(Component):
    """``maildev`` on Node, keeping messages under its home between runs."""

    name = "maildev"
    title = "MailDev"

    def __init__(
        self,
        *,
        root: Path,
        cache: Path,
        smtp_port: int = 1025,
        web_port: int = 1080,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(root=root, cache=cache, host=host)
        self.smtp_port = smtp_port
        self.web_port = web_port
        self.prefix = cache / f"maildev-{MAILDEV_VERSION}"

    @property
    def web_url(self) -> str:
        """The web UI (its REST API lives under it: ``GET /email``)."""
        return f"http://{self.host}:{self.web_port}"

    def install(self) -> None:
        """``npm install --prefix <cache>`` of the pinned version."""

        def build(target: Path) -> None:
            npm = require_tool("npm", "installing MailDev")
            run_tool(
                [
                    npm,
                    "install",
                    "--prefix",
                    str(target),
                    f"maildev@{MAILDEV_VERSION}",
                    "--omit=dev",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                ],
                what="npm install maildev",
            )

        ensure_installed(self.prefix, build, what=f"MailDev {MAILDEV_VERSION}", cache=self.cache)

    def command(self) -> list[str]:
        """SMTP and web UI on the loopback interface only."""
        node = require_tool("node", "running MailDev")
        return [
            node,
            str(self.prefix / "node_modules" / "maildev" / "bin" / "maildev"),
            "--smtp",
            str(self.smtp_port),
            "--web",
            str(self.web_port),
            "--ip",
            self.host,
            "--mail-directory",
            str(self.home / "mail"),
        ]

    def ports(self) -> tuple[int, ...]:
        """SMTP and HTTP."""
        return (self.smtp_port, self.web_port)

    async def probe(self) -> bool:
        """The REST API lists messages and the SMTP port accepts connections."""
        if not is_listening(self.smtp_port, self.host):
            return False
        try:
            async with httpx.AsyncClient(timeout=2.0) as client:
                response = await client.get(f"{self.web_url}/email")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def endpoints(self) -> dict[str, str]:
        """SMTP address and UI."""
        return {"smtp": f"{self.host}:{self.smtp_port}", "ui": self.web_url}
