"""Prometheus, its alert rules and Grafana's dashboards: checked with promtool, Kubernetes'
schemas, and against the documented series (docs/metrics.md)."""

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cerchia_devstack.dashboards import GRAFANA_VARIABLES
from cerchia_devstack.services import SERVICES

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
OBSERVABILITY = REPO / "deploy" / "observability"
PROMETHEUS = OBSERVABILITY / "prometheus"
DASHBOARDS = OBSERVABILITY / "grafana" / "dashboards"
ALERTS = PROMETHEUS / "alerts.yml"
METRICS_DOC = REPO / "docs" / "metrics.md"
OPERATIONS_DOC = REPO / "docs" / "operations.md"
WANTED_DASHBOARDS = {
    "cerchia-overview",
    "cerchia-delivery",
    "cerchia-kafka",
    "cerchia-red",
}
WANTED_ALERTS = {
    "CerchiaConsumerLagGrowing",
    "CerchiaDeadLetter",
    "CerchiaOutboxStuck",
    "CerchiaHttp5xx",
    "CerchiaDeliveryLatencyHigh",
}
_SERIES = re.compile(r"\b(cerchia_[a-z0-9_]+|up)\b")
_HISTOGRAM_PARTS = ("_bucket", "_count", "_sum")


def documented() -> dict[str, str]:
    """The series docs/metrics.md lists, with their type."""
    rows = re.findall(r"^\| `([a-z_]+)` \| (\w+) \|", METRICS_DOC.read_text(), re.MULTILINE)
    return dict(rows)


def exposed_names() -> set[str]:
    """Every name a documented series shows up under in Prometheus."""
    names = set()
    for name, kind in documented().items():
        names.add(name)
        if kind == "histogram":
            names.update(name + part for part in _HISTOGRAM_PARTS)
    return names


def promtool() -> str:
    found = shutil.which("promtool")
    assert found, "promtool is missing: apt-get install prometheus (Debian bookworm: 2.42)"
    return found


def run_promtool(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [promtool(), *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboards() -> dict[str, dict[str, Any]]:
    loaded = {}
    for path in sorted(DASHBOARDS.glob("*.json")):
        loaded[path.name] = json.loads(path.read_text())
    return loaded


def test_the_alert_rules_pass_promtool_and_fire_on_their_unit_tests() -> None:
    assert "SUCCESS: 6 rules found" in run_promtool("check", "rules", str(ALERTS))
    run_promtool("test", "rules", str(PROMETHEUS / "alerts.test.yml"))


def test_promtool_rejects_a_broken_rule(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(\n")
    done = subprocess.run(
        [promtool(), "check", "rules", str(broken)], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0


def test_the_compose_prometheus_config_is_valid_and_scrapes_every_service() -> None:
    run_promtool("check", "config", "prometheus.yml", cwd=PROMETHEUS)
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    targets = {
        job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]
    }
    assert targets == {spec.name: [f"{spec.name}:{spec.port}"] for spec in SERVICES}


def test_the_kubernetes_prometheus_config_is_valid_and_scrapes_every_service(
    tmp_path: Path,
) -> None:
    # Laid out as the ConfigMap mounts it: the configuration beside its rules.
    shutil.copy(PROMETHEUS / "prometheus-k8s.yml", tmp_path / "prometheus.yml")
    shutil.copy(ALERTS, tmp_path / "alerts.yml")
    run_promtool("check", "config", str(tmp_path / "prometheus.yml"))
    config = yaml.safe_load((PROMETHEUS / "prometheus-k8s.yml").read_text())
    found = {
        job["job_name"]: (job["dns_sd_configs"][0]["names"], job["dns_sd_configs"][0]["port"])
        for job in config["scrape_configs"]
    }
    assert found == {spec.name: ([f"{spec.name}-metrics"], spec.port) for spec in SERVICES}


def test_the_kubernetes_manifests_render_and_are_valid(
    tool: Callable[[str], str], tmp_path: Path
) -> None:
    rendered = subprocess.run(
        [tool("kubectl"), "kustomize", str(OBSERVABILITY)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    manifest = tmp_path / "observability.yaml"
    manifest.write_text(rendered)
    done = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", str(manifest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    objects = [doc for doc in yaml.safe_load_all(rendered) if doc]
    headless = {
        o["metadata"]["name"]: o["spec"]
        for o in objects
        if o["kind"] == "Service" and o["spec"].get("clusterIP") == "None"
    }
    for spec in SERVICES:
        service = headless[f"{spec.name}-metrics"]
        assert service["selector"] == {"app.kubernetes.io/name": spec.name}
    config_maps = {
        o["metadata"]["name"].rsplit("-", 1)[0]: o for o in objects if o["kind"] == "ConfigMap"
    }
    assert set(config_maps["prometheus-config"]["data"]) == {"prometheus.yml", "alerts.yml"}
    assert {f"{d}.json" for d in ("overview", "delivery-pipeline", "kafka", "service-red")} == set(
        config_maps["grafana-dashboards"]["data"]
    )


def test_every_alert_asked_for_exists_with_a_runbook() -> None:
    rules = alert_rules()
    names = {rule["alert"] for rule in rules}
    assert names >= WANTED_ALERTS
    runbook = OPERATIONS_DOC.read_text()
    for rule in rules:
        anchor = rule["alert"].lower()
        assert rule["annotations"]["runbook_url"] == f"docs/operations.md#{anchor}"
        assert re.search(rf"^### {rule['alert']}$", runbook, re.MULTILINE), rule["alert"]


def test_alert_expressions_use_documented_series_only() -> None:
    known = exposed_names()
    for rule in alert_rules():
        used = set(_SERIES.findall(rule["expr"]))
        assert used, rule["alert"]
        assert used <= known, (rule["alert"], used - known)


def test_the_four_dashboards_are_well_formed_and_query_documented_series_only() -> None:
    known = exposed_names()
    loaded = dashboards()
    assert {d["uid"] for d in loaded.values()} == WANTED_DASHBOARDS
    for name, dashboard in loaded.items():
        assert dashboard["title"].startswith("Cerchia: "), name
        assert dashboard["panels"], name
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{name}: panel ids repeat"
        for panel in dashboard["panels"]:
            where = f"{name}: {panel['title']}"
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}, where
            assert set(panel["gridPos"]) == {"x", "y", "w", "h"}, where
            assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, where
            assert panel["targets"], where
            for target in panel["targets"]:
                used = set(_SERIES.findall(target["expr"]))
                assert used, where
                assert used <= known, (where, used - known)
                variables = set(re.findall(r"\$(\w+)", target["expr"]))
                declared = {v["name"] for v in dashboard["templating"]["list"]}
                assert variables <= declared | set(GRAFANA_VARIABLES), (where, variables - declared)
                # A rate's window follows the scrape interval (Grafana's own variable), so a
                # dashboard is right from the first minutes, not only after a fixed window.
                assert "[5m]" not in target["expr"], where


def test_every_documented_series_is_shown_somewhere() -> None:
    shown = set()
    for dashboard in dashboards().values():
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                shown.update(_SERIES.findall(target["expr"]))
    for name, kind in documented().items():
        if name == "target_info" or name.startswith("messaging_"):
            continue  # the resource, and FastStream's own series (documented, not charted)
        forms = {name} | ({name + p for p in _HISTOGRAM_PARTS} if kind == "histogram" else set())
        assert forms & shown, f"{name} is on no dashboard"


def test_every_instrument_in_the_code_is_documented() -> None:
    sources = [
        *(REPO / "libs" / "chassis" / "src").rglob("*.py"),
        *(REPO / "services").glob("*/src/**/*.py"),
    ]
    created = set()
    for path in sources:
        text = path.read_text()
        created.update(re.findall(r"create_\w+\(\s*\"(cerchia\.[a-z.]+)\"", text))
        created.update(re.findall(r"^    \"(cerchia\.[a-z.]+)\": \(", text, re.MULTILINE))
    assert len(created) >= 11, created
    doc = METRICS_DOC.read_text()
    for name in created:
        assert f"`{name}`" in doc, f"{name} is not in docs/metrics.md"
