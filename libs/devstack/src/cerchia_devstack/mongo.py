"""SecantusDB, a MongoDB-wire-compatible server (GPL-2.0), run from its own virtualenv.

It is never imported nor a dependency of the workspace: it only runs as a separate process.
"""

import asyncio
import contextlib
import struct
import sys
from pathlib import Path

import bson

from cerchia_devstack.component import Component
from cerchia_devstack.install import InstallError, ensure_installed, require_tool, run_tool

SECANTUS_VERSION = "0.7.0b3"
_OP_MSG = 2013


def mongo_uri(host: str, port: int) -> str:
    """The connection string services use."""
    return f"mongodb://{host}:{port}/"


async def mongo_ping(host: str, port: int) -> bool:
    """Whether the server answers ``ping`` with ``ok: 1``.

    One OP_MSG on a plain socket rather than a driver client: closing an async pymongo client
    while its monitors are still connecting leaks sockets, and probes close clients early.
    """
    request = bson.encode({"ping": 1, "$db": "admin"})
    body = struct.pack("<I", 0) + b"\x00" + request  # flag bits, section kind 0 (body)
    header = struct.pack("<iiii", 16 + len(body), 1, 0, _OP_MSG)
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(2.0):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(header + body)
            await writer.drain()
            length, _, _, opcode = struct.unpack("<iiii", await reader.readexactly(16))
            payload = await reader.readexactly(length - 16)
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return False
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
    if opcode != _OP_MSG or payload[4:5] != b"\x00":
        return False
    reply = bson.decode(payload[5:])
    return bool(reply.get("ok") == 1)


class SecantusDB(Component):
    """``secantusd-py``: a single-node replica set, so transactions and change streams work."""

    name = "mongodb"
    title = "SecantusDB (MongoDB)"

    def __init__(self, *, root: Path, cache: Path, port: int = 27017, host: str = "127.0.0.1"):
        super().__init__(root=root, cache=cache, host=host)
        self.port = port
        self.venv = cache / f"secantusdb-{SECANTUS_VERSION}"

    @property
    def uri(self) -> str:
        """The connection string."""
        return mongo_uri(self.host, self.port)

    def install(self) -> None:
        """A dedicated virtualenv with ``secantusdb`` from PyPI (uv when present, else venv+pip)."""

        def build(target: Path) -> None:
            python = target / "bin" / "python"
            package = f"secantusdb=={SECANTUS_VERSION}"
            try:
                uv = require_tool("uv", "installing SecantusDB")
            except InstallError:
                run_tool([sys.executable, "-m", "venv", str(target)], what="creating a venv")
                run_tool([str(python), "-m", "pip", "install", "-q", package], what="pip install")
                return
            run_tool(
                [uv, "venv", "-q", "--python", sys.executable, str(target)],
                what="creating the SecantusDB virtualenv",
            )
            run_tool(
                [uv, "pip", "install", "-q", "--python", str(python), package],
                what="installing SecantusDB",
            )

        ensure_installed(self.venv, build, what=f"SecantusDB {SECANTUS_VERSION}", cache=self.cache)

    def command(self) -> list[str]:
        """The launcher run by the venv's interpreter (so the pid record matches /proc)."""
        bin_dir = self.venv / "bin"
        return [
            str(bin_dir / "python"),
            str(bin_dir / "secantusd-py"),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--storage-path",
            str(self.home / "data"),
        ]

    def ports(self) -> tuple[int, ...]:
        """The wire-protocol port."""
        return (self.port,)

    async def probe(self) -> bool:
        """A ``ping`` through pymongo."""
        return await mongo_ping(self.host, self.port)

    def endpoints(self) -> dict[str, str]:
        """The connection string."""
        return {"uri": self.uri}
