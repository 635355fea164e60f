"""The contracts wheel is self-contained: our package, pydantic as its only dependency."""

import subprocess
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PROJECT = Path(__file__).resolve().parents[1]


def test_wheel_builds_with_only_pydantic_as_dependency(tmp_path: Path) -> None:
    subprocess.run(
        ["uv", "build", "--wheel", str(PROJECT), "-o", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=110,
    )
    (wheel,) = tmp_path.glob("cerchia_contracts-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        headers = Parser().parsestr(archive.read(metadata).decode())
    assert "cerchia_contracts/catalog.py" in names
    assert "cerchia_contracts/compat.py" in names
    assert "cerchia_contracts/py.typed" in names
    schemas = {n for n in names if n.startswith("cerchia_contracts/schemas/")}
    assert "cerchia_contracts/schemas/cerchia.membership.user_registered.v1.json" in schemas
    assert "cerchia_contracts/schemas/cerchia.content.public_thread_created.v1.json" in schemas
    assert not [n for n in names if "tests/" in n]
    requirements = headers.get_all("Requires-Dist") or []
    assert [r.split(">")[0].split("<")[0].split(";")[0].strip() for r in requirements] == [
        "pydantic"
    ]
