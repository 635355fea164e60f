"""Committed JSON Schema snapshots of every event type, and the compatibility check against them.

Usage (from the workspace root)::

    python -m cerchia_contracts.snapshots --check   # CI: fail on drift, breaking or missing
    python -m cerchia_contracts.snapshots --write   # after a compatible change: refresh

One file per event type, ``<event type>.json``, holding the envelope's JSON Schema in
serialization mode (what producers put on the wire), with sorted keys.

Retiring a type (its replacement ``.vN+1`` published, no producer left emitting it, its topic
drained) is a deliberate act: move its snapshot into ``retired/``, which the check does not read.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic.json_schema import JsonSchemaMode

from cerchia_contracts.catalog import all_event_classes
from cerchia_contracts.compat import incompatibilities

__all__ = [
    "SCHEMA_MODE",
    "CheckReport",
    "check",
    "default_dir",
    "live_schemas",
    "load_snapshots",
    "main",
    "render",
    "write",
]

SCHEMA_MODE: Final[JsonSchemaMode] = "serialization"
_SUFFIX = ".json"


def default_dir() -> Path:
    """``libs/contracts/schemas``: next to the package sources, else relative to the cwd."""
    project = Path(__file__).resolve().parents[2]
    if (project / "pyproject.toml").is_file():
        return project / "schemas"
    return Path("libs/contracts/schemas")


def live_schemas() -> dict[str, dict[str, Any]]:
    """The current JSON Schema of every event type in the catalog, keyed by event type."""
    return {
        event.event_type(): event.model_json_schema(mode=SCHEMA_MODE)
        for event in all_event_classes()
    }


def render(schema: dict[str, Any]) -> str:
    """A schema as committed: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_snapshots(directory: Path) -> dict[str, dict[str, Any]]:
    """The committed schemas in ``directory``, keyed by event type (the file name)."""
    return {
        path.name.removesuffix(_SUFFIX): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob(f"*{_SUFFIX}"))
    }


@dataclass
class CheckReport:
    """Outcome of comparing the live schemas with the snapshots."""

    #: Breaking changes: incompatible schema changes and vanished event types.
    errors: list[str] = field(default_factory=list)
    #: New event types that have no snapshot yet.
    missing: list[str] = field(default_factory=list)
    #: Event types whose schema changed compatibly; the snapshot must be rewritten.
    outdated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the snapshots match the live schemas exactly."""
        return not (self.errors or self.missing or self.outdated)


def check(directory: Path) -> CheckReport:
    """Compare the live schemas with the snapshots in ``directory``."""
    report = CheckReport()
    live, committed = live_schemas(), load_snapshots(directory)
    for event_type in sorted(committed.keys() - live.keys()):
        report.errors.append(
            f"{event_type}: event type removed (breaking; keep it or publish it alongside a .vN+1)"
        )
    for event_type, schema in live.items():
        if event_type not in committed:
            report.missing.append(event_type)
        elif render(schema) != render(committed[event_type]):
            reasons = incompatibilities(committed[event_type], schema)
            report.errors.extend(f"{event_type}: {reason}" for reason in reasons)
            if not reasons:
                report.outdated.append(event_type)
    return report


def write(directory: Path) -> list[Path]:
    """Write the snapshot of every live event type into ``directory``; return changed files."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for event_type, schema in live_schemas().items():
        path = directory / f"{event_type}{_SUFFIX}"
        text = render(schema)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m cerchia_contracts.snapshots",
        description="Check or refresh the committed JSON Schema snapshots of every event type.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="compare (the default)")
    action.add_argument("--write", action="store_true", help="rewrite the snapshots")
    parser.add_argument("--dir", type=Path, default=None, help="snapshot directory")
    args = parser.parse_args(argv)
    directory: Path = args.dir or default_dir()
    out = sys.stdout

    report = check(directory)
    if args.write:
        for error in report.errors:  # written anyway; vanished types' snapshots are kept
            out.write(f"warning: BREAKING {error}\n")
        for path in write(directory):
            out.write(f"wrote {path}\n")
        return 0

    for error in report.errors:
        out.write(f"BREAKING {error}\n")
    for event_type in report.missing:
        out.write(f"not snapshotted yet: {event_type}\n")
    for event_type in report.outdated:
        out.write(f"changed compatibly: {event_type}\n")
    if report.errors:
        out.write(
            "Within a major version only add optional fields with defaults; publish a breaking "
            "change as a new .vN+1 event type alongside the old one.\n"
        )
    if report.missing or report.outdated:
        out.write(f"Snapshots are out of date: re-run with --write (snapshot dir: {directory})\n")
    if report.ok:
        out.write(f"{len(live_schemas())} event schemas match {directory}\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
