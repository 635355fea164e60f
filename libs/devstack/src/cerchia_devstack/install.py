"""Fetching servers once into the cache with the registries' own clients (Maven, npm, uv/pip)."""

import contextlib
import fcntl
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

_COMPLETE_MARKER = ".cerchia-installed"


class InstallError(RuntimeError):
    """A tool is missing or an install command failed."""


def require_tool(name: str, purpose: str) -> str:
    """The absolute path of an executable on PATH, or a clear error saying what needs it."""
    found = shutil.which(name)
    if found is None:
        raise InstallError(f"`{name}` is not on PATH; the local stack needs it for {purpose}")
    return found


def run_tool(
    argv: Sequence[str], *, what: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> None:
    """Run an install command, quietly unless it fails."""
    result = subprocess.run(
        list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()[-40:]
        raise InstallError(
            f"{what} failed (exit {result.returncode}): {' '.join(argv)}\n" + "\n".join(output)
        )


@contextlib.contextmanager
def cache_lock(cache: Path, name: str) -> Iterator[None]:
    """An exclusive lock between processes (two test runs, a test run and ``up``) on one item."""
    locks = cache / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    with (locks / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_installed(target: Path) -> bool:
    """Whether ``target`` holds a complete install."""
    return (target / _COMPLETE_MARKER).is_file()


def ensure_installed(
    target: Path, build: Callable[[Path], None], *, what: str, cache: Path
) -> Path:
    """Build ``target`` with ``build(target)`` unless a complete install is already there.

    An interrupted install leaves no marker, so the next run wipes and redoes it.
    """
    if is_installed(target):
        return target
    with cache_lock(cache, target.name):
        if is_installed(target):
            return target
        print(f"  downloading {what} into {target} (first run only) ...", flush=True)
        started = time.monotonic()
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        build(target)
        (target / _COMPLETE_MARKER).write_text(what + "\n", encoding="utf-8")
        print(f"  {what} ready ({time.monotonic() - started:.0f}s)", flush=True)
    return target


def maven_command(*goals_and_flags: str) -> list[str]:
    """A quiet, non-interactive, colourless Maven invocation."""
    mvn = require_tool("mvn", "downloading Kafka and Zipkin from Maven Central")
    return [mvn, "-q", "-B", "-Dstyle.color=never", *goals_and_flags]
