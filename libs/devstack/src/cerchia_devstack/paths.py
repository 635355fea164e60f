"""Where the stack keeps downloads (a per-user cache) and platform state (``<repo>/.stack``)."""

import os
from pathlib import Path

CACHE_DIR_ENV = "CERCHIA_CACHE_DIR"
STATE_DIR_ENV = "CERCHIA_STACK_DIR"
_WORKSPACE_MARKER = "[tool.uv.workspace]"


def cache_dir() -> Path:
    """The download cache: ``$CERCHIA_CACHE_DIR``, else ``${XDG_CACHE_HOME:-~/.cache}/cerchia``."""
    explicit = os.environ.get(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "cerchia"


def repo_root() -> Path:
    """The workspace root: the nearest ancestor whose pyproject.toml declares the uv workspace.

    The package's own location wins over the working directory, so the command works from any
    folder and always manages the checkout it was installed from.
    """
    for origin in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for directory in (origin, *origin.parents):
            pyproject = directory / "pyproject.toml"
            if pyproject.is_file() and _WORKSPACE_MARKER in pyproject.read_text(encoding="utf-8"):
                return directory
    raise FileNotFoundError("not inside the Cerchia workspace (no uv workspace pyproject.toml)")


def state_dir(root: Path) -> Path:
    """Platform state (data, logs, pid records): ``$CERCHIA_STACK_DIR`` or ``<repo>/.stack``."""
    explicit = os.environ.get(STATE_DIR_ENV)
    return Path(explicit).expanduser() if explicit else root / ".stack"


def kafka_pom(root: Path) -> Path:
    """The Maven project listing the Kafka broker's runtime jars."""
    return root / "deploy" / "local" / "kafka" / "pom.xml"
