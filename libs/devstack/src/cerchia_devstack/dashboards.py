"""The Grafana dashboards of ``deploy/observability``, drawn without Grafana.

Grafana is not packaged where the local stack runs, Prometheus is (Debian's ``prometheus``).
``./dev dashboards`` starts a Prometheus that scrapes the running services, records for a while
(use the platform meanwhile, or run ``uv run bench``), then asks it every panel's own query over
that window and draws each dashboard as a PNG: the same expressions the dashboards hold, so a
query that names a series no service exposes shows up as an empty panel.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from cerchia_devstack.ports import LOCALHOST, free_port

_VARIABLE = re.compile(r"\$\{?(\w+)\}?")
_LEGEND = re.compile(r"\{\{\s*(\w+)\s*\}\}")
#: The values Grafana gives its own variables, for the scrape interval used here (5 s): a rate's
#: window of four scrapes at least, as Grafana computes ``$__rate_interval``.
GRAFANA_VARIABLES = {"__rate_interval": "1m"}
#: What Prometheus answers where a quantile or a ratio has nothing to divide: drawn as no data.
_NO_NUMBER = {"NaN", "+Inf", "-Inf"}


@dataclass(frozen=True)
class Panel:
    """One panel: its title, kind and (expression, legend format) pairs."""

    title: str
    kind: str
    targets: tuple[tuple[str, str], ...]


def variants(dashboard: Mapping[str, Any]) -> list[dict[str, str]]:
    """One set of variable values per drawing: every option of a custom variable (a dashboard
    per service), or a single empty set."""
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "custom":
            options = [o.strip() for o in str(variable.get("query", "")).split(",") if o.strip()]
            return [{variable["name"]: option} for option in options]
    return [{}]


def panels(dashboard: Mapping[str, Any], values: Mapping[str, str]) -> list[Panel]:
    """The dashboard's panels with their variables replaced by ``values``."""

    known = {**GRAFANA_VARIABLES, **values}

    def substitute(expr: str) -> str:
        return _VARIABLE.sub(lambda m: known.get(m.group(1), m.group(0)), expr)

    return [
        Panel(
            title=str(panel.get("title", "")),
            kind=str(panel.get("type", "timeseries")),
            targets=tuple(
                (substitute(str(t["expr"])), str(t.get("legendFormat", "")))
                for t in panel.get("targets", [])
                if t.get("expr")
            ),
        )
        for panel in dashboard.get("panels", [])
        if panel.get("type") != "row"
    ]


def legend(template: str, labels: Mapping[str, str]) -> str:
    """Grafana's ``{{label}}`` legend, or the labels themselves."""
    if template and template != "__auto":
        return _LEGEND.sub(lambda m: labels.get(m.group(1), ""), template)
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "__name__") or "value"


def prometheus_config(targets: Mapping[str, str], interval_s: int) -> str:
    """A scrape configuration, one job per service as ``deploy/observability`` names them
    (JSON, which Prometheus reads as YAML)."""
    jobs = [
        {
            "job_name": name,
            "metrics_path": "/metrics",
            "static_configs": [{"targets": [re.sub(r"^https?://", "", url).rstrip("/")]}],
        }
        for name, url in sorted(targets.items())
    ]
    return json.dumps(
        {
            "global": {"scrape_interval": f"{interval_s}s", "evaluation_interval": "15s"},
            "scrape_configs": jobs,
        },
        indent=2,
    )


def _query_range(api: str, expr: str, start: float, end: float, step: int) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{api}/api/v1/query_range",
        params={"query": expr, "start": start, "end": end, "step": step},
        timeout=30,
    )
    body = answer.json()
    if body.get("status") != "success":
        raise RuntimeError(f"Prometheus refused {expr!r}: {body.get('error')}")
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def draw(
    title: str, drawn: Sequence[Panel], api: str, window: tuple[float, float], out: Path
) -> list[int]:
    """Query each panel over ``window`` (start, end) and draw the dashboard into ``out``;
    answer how many series each panel had."""
    start, end = window
    import matplotlib  # only this command draws

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    step = max(5, int((end - start) / 120))
    columns = 2
    rows = (len(drawn) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(14, 3.4 * rows), squeeze=False)
    counts: list[int] = []
    for index, panel in enumerate(drawn):
        ax = axes[index // columns][index % columns]
        ax.set_title(panel.title, fontsize=10, loc="left")
        series = [
            (legend(fmt, s["metric"]), s["values"])
            for expr, fmt in panel.targets
            for s in _query_range(api, expr, start, end, step)
            if any(value not in _NO_NUMBER for _, value in s["values"])
        ]
        counts.append(len(series))
        if not series:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        elif panel.kind in ("stat", "bargauge"):
            names = [name for name, _ in series][:12]
            last = [float(values[-1][1]) for _, values in series][:12]
            ax.barh(names, last)
            ax.tick_params(labelsize=7)
            for y, value in enumerate(last):
                ax.text(value, y, f" {value:.3g}", va="center", fontsize=7)
        else:
            for name, values in series[:12]:
                ax.plot(
                    [datetime.fromtimestamp(float(t), UTC) for t, _ in values],
                    [float(v) for _, v in values],
                    label=name,
                )
            ax.legend(fontsize=6, loc="upper left")
            ax.tick_params(labelsize=7)
    for index in range(len(drawn), rows * columns):
        axes[index // columns][index % columns].axis("off")
    figure.suptitle(
        f"{title}  ({datetime.fromtimestamp(start, UTC):%Y-%m-%d %H:%M} to "
        f"{datetime.fromtimestamp(end, UTC):%H:%M} UTC, recorded by Prometheus)"
    )
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=90)
    plt.close(figure)
    return counts


def record_and_draw(
    services: Mapping[str, str], dashboards: Path, out: Path, minutes: float
) -> list[tuple[Path, list[int]]]:
    """Record ``minutes`` of the services' metrics with a Prometheus of our own, then draw
    every dashboard in ``dashboards`` into ``out``: each PNG with its panels' series counts."""
    binary = os.environ.get("CERCHIA_PROMETHEUS") or shutil.which("prometheus")
    if not binary:
        raise RuntimeError("no Prometheus: apt-get install -y prometheus (or CERCHIA_PROMETHEUS)")
    port = free_port()
    api = f"http://{LOCALHOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="cerchia-prometheus-") as work:
        config = Path(work) / "prometheus.yml"
        config.write_text(prometheus_config(services, interval_s=5), encoding="utf-8")
        log = (Path(work) / "prometheus.log").open("w")
        server = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={work}/data",
                f"--web.listen-address={LOCALHOST}:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(api)
            start = time.time()
            print(f"recording {len(services)} services for {minutes:g} min at {api} ...")
            time.sleep(minutes * 60)
            end = time.time()
            written = []
            for path in sorted(dashboards.glob("*.json")):
                dashboard = json.loads(path.read_text(encoding="utf-8"))
                for values in variants(dashboard):
                    suffix = "".join(f"-{v}" for v in values.values())
                    target = out / f"dashboard-{path.stem}{suffix}.png"
                    title = str(dashboard.get("title", path.stem)) + suffix.replace("-", " · ")
                    counts = draw(title, panels(dashboard, values), api, (start, end), target)
                    written.append((target, counts))
            return written
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()


def _wait_ready(api: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api}/-/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"Prometheus did not become ready at {api}")
