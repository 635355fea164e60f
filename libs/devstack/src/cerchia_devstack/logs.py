"""``cerchia-stack logs``: the tail of one or all logs, optionally followed."""

import time
from collections.abc import Mapping
from pathlib import Path

from cerchia_devstack.process import read_tail


def log_files(root: Path) -> dict[str, Path]:
    """Every component's and service's log under the state directory, by name."""
    return {path.stem: path for path in sorted((root / "logs").glob("*.log"))}


def _prefix(name: str, width: int, many: bool) -> str:
    return f"{name:<{width}} | " if many else ""


def show(paths: Mapping[str, Path], lines: int) -> None:
    """Print the last ``lines`` lines of each log."""
    many = len(paths) > 1
    width = max((len(name) for name in paths), default=0)
    for name, path in paths.items():
        for line in read_tail(path, lines).splitlines():
            print(_prefix(name, width, many) + line)


def follow(paths: Mapping[str, Path], lines: int, interval: float = 0.3) -> None:
    """Print the tails, then new lines as they are written, until Ctrl-C."""
    show(paths, lines)
    many = len(paths) > 1
    width = max((len(name) for name in paths), default=0)
    offsets = {name: _size(path) for name, path in paths.items()}
    pending = dict.fromkeys(paths, b"")
    try:
        while True:
            for name, path in paths.items():
                size = _size(path)
                if size < offsets[name]:  # truncated or replaced: read it again from the start
                    offsets[name] = 0
                if size == offsets[name]:
                    continue
                with path.open("rb") as handle:
                    handle.seek(offsets[name])
                    chunk = pending[name] + handle.read()
                    offsets[name] = handle.tell()
                *complete, pending[name] = chunk.split(b"\n")
                for raw in complete:
                    print(_prefix(name, width, many) + raw.decode(errors="replace"), flush=True)
            time.sleep(interval)
    except KeyboardInterrupt:
        return


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
