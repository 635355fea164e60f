"""Interleaved repetitions of scenarios, and the statistics reported for each metric."""

import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

#: Named figures of one run, e.g. {"msgs_per_s": 10234.0, "p99_ms": 12.5}.
Figures = dict[str, float]


@dataclass(frozen=True)
class Measurement:
    """What one run of a scenario measured; ``latencies_ms`` feeds the distribution chart."""

    figures: Figures
    latencies_ms: Sequence[float] = ()


@dataclass(frozen=True)
class Scenario:
    """One benchmark: a name, what it measures, and one run of it."""

    name: str
    description: str
    run: Callable[[], Awaitable[Measurement]]


@dataclass
class Result:
    """Every repetition's figures of one scenario, plus raw latency samples for the chart."""

    scenario: str
    description: str
    runs: list[Figures] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, float]]:
        """Median, min, max and relative spread ((max-min)/median) of every figure."""
        names = sorted({name for run in self.runs for name in run})
        out: dict[str, dict[str, float]] = {}
        for name in names:
            values = [run[name] for run in self.runs if name in run]
            median = statistics.median(values)
            out[name] = {
                "median": median,
                "min": min(values),
                "max": max(values),
                "spread": (max(values) - min(values)) / median if median else 0.0,
                "n": float(len(values)),
            }
        return out


async def run_interleaved(scenarios: Sequence[Scenario], repetitions: int) -> list[Result]:
    """Run every scenario once per round, ``repetitions`` rounds, so drift hits all alike."""
    results = {s.name: Result(s.name, s.description) for s in scenarios}
    for round_number in range(1, repetitions + 1):
        for scenario in scenarios:
            started = time.perf_counter()
            measured = await scenario.run()
            result = results[scenario.name]
            result.runs.append(measured.figures)
            result.latencies_ms.extend(measured.latencies_ms)
            print(
                f"  round {round_number}/{repetitions} {scenario.name}: "
                + ", ".join(f"{k}={v:,.1f}" for k, v in measured.figures.items())
                + f" ({time.perf_counter() - started:.1f}s)",
                flush=True,
            )
    return list(results.values())


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]
