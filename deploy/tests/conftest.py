"""Fixtures of the deployment checks: the repository, its files parsed, and the pinned tools."""

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}")


def _substitute(match: re.Match[str]) -> str:
    if match.group(0) == "$$":
        return "$"
    if (match.group("operator") or "").endswith("?"):
        # A required variable (no default in the file) stands for itself: its name.
        return match.group("name")
    return match.group("argument") or ""


def _interpolate(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _INTERPOLATION.sub(_substitute, value)


@pytest.fixture(scope="session")
def platform_services() -> list[str]:
    """Every service of the platform: a package under services/ (services/<name>/src/<name>)."""
    return sorted(
        path.name
        for path in (REPO / "services").iterdir()
        if (path / "src" / path.name / "__init__.py").is_file()
    )


@pytest.fixture(scope="session")
def interpolate() -> Callable[[Any], Any]:
    """A compose value as Compose sees it when no optional variable is set (``${X:-default}``
    gives the default); a required one (``${X:?message}``, set in .env) gives its name."""
    return _interpolate


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    """docker-compose.yml, parsed (YAML anchors and merge keys resolved)."""
    document: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return document


@pytest.fixture(scope="session")
def tools_bin() -> Path:
    """The directory of the pinned tools, installed on first use by install-tools.sh."""
    script = REPO / "deploy" / "tests" / "install-tools.sh"
    done = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, f"install-tools.sh failed:\n{done.stdout}\n{done.stderr}"
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def tool(tools_bin: Path) -> Callable[[str], str]:
    """The path of one installed tool."""

    def path(name: str) -> str:
        executable = tools_bin / name
        assert os.access(executable, os.X_OK), f"{name} is not installed in {tools_bin}"
        return str(executable)

    return path


@pytest.fixture(scope="session")
def deploy_script() -> Callable[[str], ModuleType]:
    """Import a script of deploy/ (they are run as files, not installed as packages)."""
    loaded: dict[str, ModuleType] = {}

    def load(relative: str) -> ModuleType:
        if relative not in loaded:
            path = REPO / "deploy" / relative
            name = "cerchia_deploy_" + path.stem
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            loaded[relative] = module
        return loaded[relative]

    return load
