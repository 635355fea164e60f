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
class Ratio:
    """A figure of one scenario divided by a figure of another, per round, against a target."""

    name: str
    numerator: tuple[str, str]
    denominator: tuple[str, str]
    target: float

    def values(self, results: dict[str, Result]) -> list[float]:
        """The ratio in every round where both scenarios ran."""
        top, bottom = results.get(self.numerator[0]), results.get(self.denominator[0])
        if top is None or bottom is None:
            return []
        return [
            a[self.numerator[1]] / b[self.denominator[1]]
            for a, b in zip(top.runs, bottom.runs, strict=False)
            if b.get(self.denominator[1])
        ]


def write_reports(results: list[Result], ratios: list[Ratio], out: Path) -> dict[str, Any]:
    """Write ``results.json``, ``results.md`` and ``results.png`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    by_name = {r.scenario: r for r in results}
    ratio_rows = []
    for ratio in ratios:
        values = ratio.values(by_name)
        if values:
            median = statistics.median(values)
            ratio_rows.append(
                {
                    "name": ratio.name,
                    "median": median,
                    "min": min(values),
                    "max": max(values),
                    "target": ratio.target,
                    "meets_target": median >= ratio.target,
                }
            )
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "scenarios": {
            r.scenario: {"description": r.description, "summary": r.summary(), "runs": r.runs}
            for r in results
        },
        "ratios": ratio_rows,
    }
    (out / "results.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    (out / "results.md").write_text(_markdown(results, ratio_rows), encoding="utf-8")
    _chart(results, out / "results.png")
    return document


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _markdown(results: list[Result], ratios: list[dict[str, Any]]) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Median over interleaved repetitions; spread = (max - min) / median.",
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
    if ratios:
        lines += [
            "",
            "| ratio | median | min | max | target | met |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for row in ratios:
            lines.append(
                f"| {row['name']} | {row['median']:.2f} | {row['min']:.2f} | {row['max']:.2f} "
                f"| ≥ {row['target']:.2f} | {'yes' if row['meets_target'] else 'NO'} |"
            )
    return "\n".join(lines) + "\n"


def _chart(results: list[Result], path: Path) -> None:
    with_latency = [r for r in results if r.latencies_ms]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
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
    rates = [
        (f"{r.scenario}\n{name}", stats["median"], stats["min"], stats["max"])
        for r in results
        for name, stats in r.summary().items()
        if name.endswith("_per_s")
    ]
    if rates:
        labels = [row[0] for row in rates]
        medians = [row[1] for row in rates]
        errors = [[row[1] - row[2] for row in rates], [row[3] - row[1] for row in rates]]
        right.barh(labels, medians, xerr=errors)
        right.set_xscale("log")
        right.set_xlabel("per second (median, min-max)")
        right.set_title("Throughput")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
