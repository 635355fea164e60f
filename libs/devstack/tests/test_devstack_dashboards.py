"""The dashboards drawn without Grafana: the panels' own queries, asked of a real Prometheus
that scraped a real metrics endpoint."""

import json
import threading
import time
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, start_http_server

from cerchia_devstack import dashboards
from cerchia_devstack.paths import repo_root
from cerchia_devstack.ports import LOCALHOST, free_port

DASHBOARDS = repo_root() / "deploy" / "observability" / "grafana" / "dashboards"


@pytest.mark.unit
def test_every_panel_of_every_dashboard_has_a_query_with_its_variables_filled() -> None:
    for path in sorted(DASHBOARDS.glob("*.json")):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        for values in dashboards.variants(dashboard):
            drawn = dashboards.panels(dashboard, values)
            assert drawn, path.name
            for panel in drawn:
                assert panel.targets, (path.name, panel.title)
                assert all("$" not in expr for expr, _ in panel.targets), (path.name, panel)
    red = json.loads((DASHBOARDS / "service-red.json").read_text(encoding="utf-8"))
    assert {"service": "gateway"} in dashboards.variants(red)
    exprs = [e for p in dashboards.panels(red, {"service": "gateway"}) for e, _ in p.targets]
    assert sum('job="gateway"' in expr for expr in exprs) >= 4


@pytest.mark.unit
def test_legends_follow_grafanas_format() -> None:
    labels = {"__name__": "x", "route": "/api", "status": "503"}
    assert dashboards.legend("{{route}} {{ status }}", labels) == "/api 503"
    assert dashboards.legend("", labels) == "route=/api, status=503"
    config = json.loads(dashboards.prometheus_config({"web": "http://127.0.0.1:8080"}, 5))
    assert config["scrape_configs"][0]["job_name"] == "web"
    assert config["scrape_configs"][0]["static_configs"][0]["targets"] == ["127.0.0.1:8080"]


@pytest.mark.integration
def test_a_recorded_series_is_drawn_and_a_missing_one_is_shown_empty(tmp_path: Path) -> None:
    registry = CollectorRegistry()
    sent = Counter("demo_sent", "Sends.", ["channel"], registry=registry)
    port = free_port()
    server, thread = start_http_server(port, addr=LOCALHOST, registry=registry)
    stop = threading.Event()

    def traffic() -> None:
        while not stop.is_set():
            sent.labels("email").inc()
            time.sleep(0.1)

    worker = threading.Thread(target=traffic, daemon=True)
    worker.start()
    boards = tmp_path / "dashboards"
    boards.mkdir()
    panel = {"type": "timeseries", "title": "Sends", "targets": [
        {"expr": 'sum by (channel) (rate(demo_sent_total{job="$service"}[$__rate_interval]))',
         "legendFormat": "{{channel}}"}]}  # fmt: skip
    missing = {"type": "stat", "title": "Nothing", "targets": [{"expr": "no_such_series"}]}
    # A ratio of nothing to nothing, as a quantile of an idle histogram: Prometheus answers NaN.
    nothing = "(demo_sent_total - demo_sent_total)"
    undefined = {"type": "timeseries", "title": "Undefined", "targets": [
        {"expr": f"{nothing} / {nothing}"}]}  # fmt: skip
    (boards / "demo.json").write_text(json.dumps({
        "title": "Demo", "panels": [panel, missing, undefined],
        "templating": {"list": [{"name": "service", "type": "custom", "query": "demo"}]},
    }), encoding="utf-8")  # fmt: skip
    try:
        drawn = dashboards.record_and_draw(
            {"demo": f"http://{LOCALHOST}:{port}"}, boards, tmp_path / "out", minutes=0.4
        )
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join()
    [(path, counts)] = drawn
    assert path == tmp_path / "out" / "dashboard-demo-demo.png"
    assert path.read_bytes().startswith(b"\x89PNG")
    assert counts == [1, 0, 0]
