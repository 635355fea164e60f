"""Benchmark output: JSON for machines, a Markdown table for people, a PNG chart for both."""

import json
import platform
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from cerchia_bench.harness import Result


@dataclass(frozen=True)
class Target:
    """A figure, or one scenario's figure divided by another's in the same round, and its goal."""

    name: str
    numerator: tuple[str, str]
    denominator: tuple[str, str] | None = None
    at_least: float | None = None
    at_most: float | None = None

    def values(self, results: dict[str, Result]) -> list[float]:
        """The figure (or ratio) in every round where the scenarios ran."""
        top = results.get(self.numerator[0])
        if top is None:
            return []
        if self.denominator is None:
            return [run[self.numerator[1]] for run in top.runs if self.numerator[1] in run]
        bottom = results.get(self.denominator[0])
        if bottom is None:
            return []
        return [
            a[self.numerator[1]] / b[self.denominator[1]]
            for a, b in zip(top.runs, bottom.runs, strict=False)
            if b.get(self.denominator[1]) and self.numerator[1] in a
        ]

    def met(self, value: float) -> bool:
        """Whether ``value`` meets the goal."""
        low = self.at_least is None or value >= self.at_least
        high = self.at_most is None or value <= self.at_most
        return low and high

    def goal(self) -> str:
        """The goal in words: ``≥ 0.60``, ``≤ 1.20`` or ``0.90 to 1.10``."""
        if self.at_least is not None and self.at_most is not None:
            return f"{self.at_least:,.2f} to {self.at_most:,.2f}"
        if self.at_least is not None:
            return f"≥ {self.at_least:,.2f}"
        return f"≤ {self.at_most:,.2f}"


def write_reports(
    results: list[Result],
    targets: list[Target],
    out: Path,
    run: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``results.json``, ``results.md`` and ``results.png`` under ``out``; ``run`` says
    how the run was made (repetitions, sizes, machine load)."""
    out.mkdir(parents=True, exist_ok=True)
    by_name = {r.scenario: r for r in results}
    target_rows = []
    for target in targets:
        values = target.values(by_name)
        if values:
            median = statistics.median(values)
            target_rows.append(
                {
                    "name": target.name,
                    "median": median,
                    "min": min(values),
                    "max": max(values),
                    "goal": target.goal(),
                    "meets_target": target.met(median),
                }
            )
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "run": run or {},
        "scenarios": {
            r.scenario: {"description": r.description, "summary": r.summary(), "runs": r.runs}
            for r in results
        },
        "targets": target_rows,
    }
    (out / "results.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    (out / "results.md").write_text(_markdown(results, target_rows, run or {}), encoding="utf-8")
    _chart(results, out / "results.png")
    return document


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _markdown(results: list[Result], targets: list[dict[str, Any]], run: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Median over interleaved repetitions; spread = (max - min) / median.",
        "",
        *(f"- {name}: {value}" for name, value in run.items()),
        "",
        "| scenario | figure | median | min | max | spread | n |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for figure, stats in result.summary().items():
            lines.append(
                f"| {result.scenario} | {figure} | {stats['median']:,.2f} | {stats['min']:,.2f} "
                f"| {stats['max']:,.2f} | {stats['spread']:.1%} | {stats['n']:.0f} |"
            )
    if targets:
        lines += [
            "",
            "## Targets",
            "",
            "| target | median | min | max | goal | met |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for row in targets:
            lines.append(
                f"| {row['name']} | {row['median']:,.2f} | {row['min']:,.2f} | {row['max']:,.2f} "
                f"| {row['goal']} | {'yes' if row['meets_target'] else 'NO'} |"
            )
    return "\n".join(lines) + "\n"


def _chart(results: list[Result], path: Path) -> None:
    with_latency = [r for r in results if r.latencies_ms]
    rates = [
        (
            f"{r.scenario} · {name.removesuffix('_per_s')}",
            stats["median"],
            stats["min"],
            stats["max"],
        )
        for r in results
        for name, stats in r.summary().items()
        if name.endswith("_per_s")
    ]
    # One line per throughput bar, with room for each: two-line labels overlapped their neighbours.
    height = max(5.0, 0.32 * len(rates) + 1.5)
    figure, (left, right) = plt.subplots(1, 2, figsize=(14, height))
    if with_latency:
        left.boxplot(
            [r.latencies_ms for r in with_latency],
            tick_labels=[r.scenario for r in with_latency],
            showfliers=False,
        )
        left.set_yscale("log")
        left.set_ylabel("latency (ms, log)")
        left.set_title("Latency distributions")
        left.tick_params(axis="x", rotation=30)
    if rates:
        labels = [row[0] for row in rates]
        medians = [row[1] for row in rates]
        errors = [[row[1] - row[2] for row in rates], [row[3] - row[1] for row in rates]]
        right.barh(labels, medians, xerr=errors)
        right.set_xscale("log")
        right.invert_yaxis()  # in the report's order, top down
        right.set_xlabel("per second (median, min-max)")
        right.set_title("Throughput")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
