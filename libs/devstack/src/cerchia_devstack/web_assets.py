"""The web client's browser assets (htmx, its SSE extension, Pico CSS), npm ci by its lock file."""

import fcntl
import hashlib
from pathlib import Path

from cerchia_devstack.install import require_tool, run_tool

_MARKER = ".cerchia-lock-sha256"


def web_folder(repo: Path) -> Path:
    """``services/web`` of the checkout."""
    return repo / "services" / "web"


def install_web_assets(repo: Path) -> bool:
    """``npm ci`` in ``services/web`` unless its ``node_modules`` already matches the lock file;
    whether it ran. Processes that ask together (test workers) take turns: one installs, the
    others then find the marker."""
    folder = web_folder(repo)
    lock = folder / "package-lock.json"
    if not lock.is_file():
        return False
    with (folder / ".npm-install.lock").open("a") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)
        return _install(folder, lock)


def _install(folder: Path, lock: Path) -> bool:
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    marker = folder / "node_modules" / _MARKER
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() == digest:
        return False
    npm = require_tool("npm", "installing the web client's assets")
    print("  web client assets: npm ci (services/web)", flush=True)
    run_tool(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        what="npm ci in services/web",
    )
    marker.write_text(digest + "\n", encoding="utf-8")
    return True
