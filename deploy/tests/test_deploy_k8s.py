"""Kubernetes manifests: rendered by kustomize, valid against the API schemas, and complete."""

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cerchia_contracts.catalog import CATALOG
from cerchia_devstack.services import SERVICES

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
OVERLAYS = ["overlays/dev", "overlays/prod"]
# The oldest Kubernetes the manifests promise to work on, and the newest schemas at hand.
KUBERNETES_VERSIONS = ["1.33.0", "1.37.0"]
PORTS = {spec.name: spec.port for spec in SERVICES}
# The gateway keeps no data (its rate limits are in memory); every other service owns a database.
STATELESS = {"gateway"}

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def render(tool: Callable[[str], str]) -> Callable[[str], str]:
    """``kubectl kustomize <dir>`` output, once per directory."""
    cache: dict[str, str] = {}

    def rendered(directory: str) -> str:
        if directory not in cache:
            done = subprocess.run(
                [tool("kubectl"), "kustomize", str(K8S / directory)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            cache[directory] = done.stdout
        return cache[directory]

    return rendered


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest, render: Callable[[str], str]) -> list[Manifest]:
    """The manifests of one overlay."""
    return [doc for doc in yaml.safe_load_all(render(request.param)) if doc]


def by_kind(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def config_maps(manifests: list[Manifest]) -> dict[str, dict[str, str]]:
    """ConfigMap data by name (kustomize appends a hash to generated names)."""
    return {
        m["metadata"]["name"]: m.get("data", {}) for m in by_kind(manifests, "ConfigMap").values()
    }


def container_env(manifests: list[Manifest], deployment: Manifest) -> dict[str, Any]:
    """What a container's environment holds: literal values, or where a value comes from."""
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    maps = config_maps(manifests)
    env: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        env.update(maps[source["configMapRef"]["name"]])
    for var in container.get("env", []):
        env[var["name"]] = var.get("value", var.get("valueFrom"))
    return env


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("directory", ["base", *OVERLAYS])
def test_manifests_are_valid_kubernetes(
    directory: str,
    version: str,
    render: Callable[[str], str],
    tool: Callable[[str], str],
    tmp_path: Path,
) -> None:
    manifests = tmp_path / "manifests.yaml"
    manifests.write_text(render(directory))
    done = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", "-k", version, str(manifests)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ERROR" not in done.stdout


def test_the_validator_rejects_what_kubernetes_would(
    tool: Callable[[str], str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
        "spec: {ports: [{port: 80}], selektor: {a: b}}\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: http}]}\n"
    )
    done = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", "-k", "1.33.0", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "selektor" in done.stdout
    assert "'http' is not of type 'integer'" in done.stdout


def test_every_service_has_its_workload_objects(
    overlay: list[Manifest], platform_services: list[str]
) -> None:
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert set(by_kind(overlay, kind)) == set(platform_services), kind
    assert set(platform_services) <= set(by_kind(overlay, "ServiceAccount"))


def test_deployments_probe_health_and_bound_their_resources(overlay: list[Manifest]) -> None:
    for name, deployment in by_kind(overlay, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready", name
        assert container["startupProbe"]["httpGet"]["path"] == "/health/live", name
        resources = container["resources"]
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources[bound]), (name, bound)
        assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_pods_run_locked_down_as_the_image_user(overlay: list[Manifest]) -> None:
    workloads = [*by_kind(overlay, "Deployment").values(), *by_kind(overlay, "Job").values()]
    assert workloads
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001, "the Dockerfile's USER"
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]


def test_containers_listen_where_services_and_probes_look(overlay: list[Manifest]) -> None:
    services = by_kind(overlay, "Service")
    for name, deployment in by_kind(overlay, "Deployment").items():
        env = container_env(overlay, deployment)
        prefix = name.upper() + "_"
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["ports"] == [{"name": "http", "containerPort": PORTS[name]}]
        assert env[prefix + "HTTP_PORT"] == str(PORTS[name])
        assert env[prefix + "HTTP_HOST"] == "0.0.0.0"  # noqa: S104 - inside its pod
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = services[name]["spec"]["selector"]
        assert selector.items() <= labels.items()
        assert services[name]["spec"]["ports"][0]["targetPort"] == "http"
        assert services[name]["spec"]["ports"][0]["port"] == PORTS[name]


def test_settings_come_from_config_maps_and_secret_references(overlay: list[Manifest]) -> None:
    assert not by_kind(overlay, "Secret"), "secrets are referenced, never committed"
    mongo_secrets = set()
    for name, deployment in by_kind(overlay, "Deployment").items():
        env = container_env(overlay, deployment)
        prefix = name.upper() + "_"
        assert "configMapKeyRef" in env[prefix + "KAFKA_BOOTSTRAP_SERVERS"]
        if name in STATELESS:
            assert prefix + "MONGO_URI" not in env
        else:
            mongo_secrets.add(env[prefix + "MONGO_URI"]["secretKeyRef"]["name"])
            assert env[prefix + "MONGO_DATABASE"] == name
            knobs = (
                "KAFKA_CONSUMER_MAX_WORKERS",
                "MONGO_MAX_POOL_SIZE",
                "MONGO_MAX_TRANSACTIONS",
                "OUTBOX_BATCH_SIZE",
            )
            for knob in knobs:
                assert int(env[prefix + knob]) >= 1, (name, knob)
        assert env["OTEL_SERVICE_NAME"] == name
        assert env["OTEL_TRACES_EXPORTER"].startswith("otlp")
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"].endswith(":4318")
        if name != "membership":
            assert "configMapKeyRef" in env[prefix + "AUTH_JWKS_URL"]
    expected = len(by_kind(overlay, "Deployment")) - len(STATELESS)
    assert len(mongo_secrets) == expected, "one database user each"


def test_membership_signs_with_a_key_shared_by_its_replicas(overlay: list[Manifest]) -> None:
    deployment = by_kind(overlay, "Deployment")["membership"]
    pod = deployment["spec"]["template"]["spec"]
    key_file = container_env(overlay, deployment)["MEMBERSHIP_SIGNING_KEY_FILE"]
    (volume,) = [v for v in pod["volumes"] if "secret" in v]
    (mount,) = [m for m in pod["containers"][0]["volumeMounts"] if m["name"] == volume["name"]]
    assert mount["readOnly"] is True
    assert key_file == f"{mount['mountPath']}/{volume['secret']['items'][0]['path']}"


def test_keys_every_replica_must_share_are_secrets(overlay: list[Manifest]) -> None:
    env = container_env(overlay, by_kind(overlay, "Deployment")["notifications"])
    for name in ("NOTIFICATIONS_UNSUBSCRIBE_SECRET", "NOTIFICATIONS_VAPID_PRIVATE_KEY"):
        reference = env[name]["secretKeyRef"]
        assert reference["name"] == "notifications-keys"
        assert not reference.get("optional"), f"{name} generated per pod would break across pods"


def test_services_trust_forwarded_addresses_only_behind_network_policies(
    overlay: list[Manifest],
) -> None:
    policies = by_kind(overlay, "NetworkPolicy")
    assert policies["default-deny-ingress"]["spec"]["podSelector"] == {}
    for name, deployment in by_kind(overlay, "Deployment").items():
        assert container_env(overlay, deployment)["FORWARDED_ALLOW_IPS"] == "*", name
        admitted = [
            rule
            for policy in policies.values()
            # Policies select pods by name: a label value or a list of them.
            if name in str(policy["spec"]["podSelector"])
            for rule in policy["spec"].get("ingress", [])
        ]
        assert admitted, f"nothing may reach {name}"
        assert all(rule.get("from") for rule in admitted), f"{name} is open to anyone"


def test_autoscaling_and_disruption_budgets_fit_the_deployments(
    overlay: list[Manifest],
) -> None:
    deployments = by_kind(overlay, "Deployment")
    fewest_partitions = min(topic.partitions for topic in CATALOG)
    for name, hpa in by_kind(overlay, "HorizontalPodAutoscaler").items():
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name)
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        if name != "gateway":
            # A consumer beyond the partition count would get no partition (docs/scaling.md).
            assert hpa["spec"]["maxReplicas"] <= fewest_partitions, name
    for name, pdb in by_kind(overlay, "PodDisruptionBudget").items():
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert pdb["spec"]["maxUnavailable"] == 1


def test_the_topic_job_runs_the_catalog_script_of_a_service_image(
    overlay: list[Manifest],
) -> None:
    job = by_kind(overlay, "Job")["kafka-topics"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", "cerchia_chassis.topics"]
    service_images = {
        d["spec"]["template"]["spec"]["containers"][0]["image"]
        for d in by_kind(overlay, "Deployment").values()
    }
    assert container["image"] in service_images
    env = {var["name"] for var in container["env"]}
    assert {"CERCHIA_KAFKA_BOOTSTRAP_SERVERS", "CERCHIA_TOPIC_REPLICATION_FACTOR"} <= env


def test_everything_lands_in_the_overlay_namespace(overlay: list[Manifest]) -> None:
    (namespace,) = by_kind(overlay, "Namespace")
    labels = by_kind(overlay, "Namespace")[namespace]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    for manifest in overlay:
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == namespace, manifest["metadata"]["name"]


def test_production_pins_images_and_replicates_topics(render: Callable[[str], str]) -> None:
    prod = [doc for doc in yaml.safe_load_all(render("overlays/prod")) if doc]
    for deployment in by_kind(prod, "Deployment").values():
        image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        registry_path, tag = image.rsplit(":", 1)
        assert "/" in registry_path.split("/", 1)[1], "from a registry"
        assert tag not in ("latest", "dev")
    platform = next(
        data for name, data in config_maps(prod).items() if name.startswith("cerchia-platform")
    )
    assert int(platform["topic-replication-factor"]) >= 3
    assert "min.insync.replicas=2" in platform["topic-configs"]
    for hpa in by_kind(prod, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["minReplicas"] >= 2, "a rolling update or a lost node keeps service"
    assert by_kind(prod, "Ingress")["gateway"]["spec"]["tls"]
