"""Kubernetes manifests: rendered by kustomize, valid against the API schemas, and complete."""

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from cerchia_chassis.acls import service_passwords, services_of
from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.settings import parse_networks
from cerchia_contracts.catalog import CATALOG, MEMBERSHIP_SESSIONS, PERSON_KEY_TOPICS
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
# Client apps of the gateway's public API that run as platform services: the web client. It sits
# in front of the gateway, not behind it; it keeps its browser sessions in its own database, uses
# no Kafka and verifies no token itself (the gateway and the services do).
CLIENT_APPS = {"web"}
# The services that are Kafka principals (User:<service>), as the ACLs derived from the catalog
# name them: every producer and consumer of a topic (the gateway reads membership.sessions.v1).
PRINCIPALS = services_of(CATALOG)
# Topics every replica of a consumer reads whole, without a consumer group (the token verifiers'
# revocations, cerchia_chassis.revocations): their partitions do not bound a service's replicas.
READ_WHOLE = {MEMBERSHIP_SESSIONS.name, *(t.name for t in PERSON_KEY_TOPICS.values())}

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


def platform_config(manifests: list[Manifest]) -> dict[str, str]:
    """The cerchia-platform ConfigMap's data (its generated name has a hash suffix)."""
    return next(
        data for name, data in config_maps(manifests).items() if name.startswith("cerchia-platform")
    )


def file_source(workload: Manifest, path: str) -> tuple[str, str, str]:
    """Where the file at ``path`` in a workload's container comes from: (kind, name, key) of the
    Secret or ConfigMap behind the read-only volume it lies in."""
    pod = workload["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    holding = [
        m
        for m in container.get("volumeMounts", [])
        if path.startswith(m["mountPath"].rstrip("/") + "/")
    ]
    assert holding, f"nothing is mounted at {path}"
    mount = max(holding, key=lambda m: len(m["mountPath"]))
    assert mount.get("readOnly") is True, f"{mount['mountPath']} is writable"
    relative = path.removeprefix(mount["mountPath"].rstrip("/") + "/")
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    sources = [volume] if "projected" not in volume else volume["projected"]["sources"]
    for source in sources:
        for kind, field, name_field in (
            ("Secret", "secret", "secretName" if source is volume else "name"),
            ("ConfigMap", "configMap", "name"),
        ):
            if field not in source:
                continue
            items = source[field].get("items")
            if items is None and "projected" not in volume:
                return kind, source[field][name_field], relative
            for item in items or []:
                if item["path"] == relative:
                    return kind, source[field][name_field], item["key"]
    raise AssertionError(f"no Secret or ConfigMap gives {path}")


def secrets_mounted(workload: Manifest) -> set[str]:
    """Every Secret whose files a workload mounts."""
    names = set()
    for volume in workload["spec"]["template"]["spec"].get("volumes", []):
        if "secret" in volume:
            names.add(volume["secret"]["secretName"])
        for source in volume.get("projected", {}).get("sources", []):
            if "secret" in source:
                names.add(source["secret"]["name"])
    return names


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
@pytest.mark.parametrize("directory", ["base", *OVERLAYS, "observability"])
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
        if name in PRINCIPALS:
            assert "configMapKeyRef" in env[prefix + "KAFKA_BOOTSTRAP_SERVERS"]
        else:
            assert not any("KAFKA" in key for key in env), f"{name} uses no Kafka"
        if name in STATELESS:
            assert prefix + "MONGO_URI_FILE" not in env
        else:
            mongo_secrets.add(file_source(deployment, env[prefix + "MONGO_URI_FILE"])[1])
            assert env[prefix + "MONGO_DATABASE"] == name
            knobs = ["MONGO_MAX_POOL_SIZE"]
            if name in PRINCIPALS:
                # Consumers, transactions and the outbox belong to the services that use Kafka.
                knobs += [
                    "KAFKA_CONSUMER_MAX_WORKERS",
                    "MONGO_MAX_TRANSACTIONS",
                    "OUTBOX_BATCH_SIZE",
                ]
            for knob in knobs:
                assert int(env[prefix + knob]) >= 1, (name, knob)
        assert env["OTEL_SERVICE_NAME"] == name
        assert env["OTEL_TRACES_EXPORTER"].startswith("otlp")
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"].endswith(":4318")
        if name in CLIENT_APPS:
            assert not any("AUTH_JWKS" in key for key in env), f"{name} verifies no token"
        elif name != "membership":
            assert "configMapKeyRef" in env[prefix + "AUTH_JWKS_URL"]
    expected = len(by_kind(overlay, "Deployment")) - len(STATELESS)
    assert len(mongo_secrets) == expected, "one database user each"


def test_membership_signs_with_a_key_shared_by_its_replicas(overlay: list[Manifest]) -> None:
    deployment = by_kind(overlay, "Deployment")["membership"]
    key_file = container_env(overlay, deployment)["MEMBERSHIP_SIGNING_KEY_FILE"]
    assert file_source(deployment, key_file) == (
        "Secret",
        "membership-signing-key",
        "signing-key.pem",
    )
    # The next or previous public key of a rotation: a ConfigMap, a change of which rolls it out.
    published = container_env(overlay, deployment)["MEMBERSHIP_PUBLISHED_KEYS_FILE"]
    kind, name, key = file_source(deployment, published)
    assert (kind, key) == ("ConfigMap", "published-keys.pem")
    assert name.startswith("membership-published-keys")


def test_keys_every_replica_must_share_are_secrets(overlay: list[Manifest]) -> None:
    deployment = by_kind(overlay, "Deployment")["notifications"]
    env = container_env(overlay, deployment)
    for name, key in (
        ("NOTIFICATIONS_UNSUBSCRIBE_SECRET", "unsubscribe-secret"),
        ("NOTIFICATIONS_VAPID_PRIVATE_KEY", "vapid-private-key"),
    ):
        assert file_source(deployment, env[f"{name}_FILE"]) == ("Secret", "notifications-keys", key)
        (volume,) = [
            v
            for v in deployment["spec"]["template"]["spec"]["volumes"]
            if v.get("secret", {}).get("secretName") == "notifications-keys"
        ]
        assert not volume["secret"].get("optional"), f"{name} generated per pod would break"


def test_services_read_secrets_from_files_never_from_the_environment(
    overlay: list[Manifest],
) -> None:
    for name, deployment in by_kind(overlay, "Deployment").items():
        env = container_env(overlay, deployment)
        from_secrets = [
            variable
            for variable, value in env.items()
            if isinstance(value, dict) and "secretKeyRef" in value
        ]
        assert not from_secrets, f"{name} takes {from_secrets} from a Secret as env vars"
        uri_file = env.get(f"{name.upper()}_MONGO_URI_FILE")
        if name not in STATELESS:
            assert uri_file is not None, f"{name} reads its connection string from a file"
            assert file_source(deployment, uri_file) == (
                "Secret",
                f"{name}-mongodb",
                "connectionString.standard",
            )


def test_services_trust_forwarded_addresses_only_behind_network_policies(
    overlay: list[Manifest],
) -> None:
    policies = by_kind(overlay, "NetworkPolicy")
    assert policies["default-deny-ingress"]["spec"]["podSelector"] == {}
    for name, deployment in by_kind(overlay, "Deployment").items():
        env = container_env(overlay, deployment)
        assert "FORWARDED_ALLOW_IPS" not in env, "uvicorn's own variable is never used"
        trusted = parse_networks(env[f"{name.upper()}_FORWARDED_ALLOW_IPS"])
        # The cluster's pod network, never the whole internet.
        assert trusted, name
        assert all(network.is_private for network in trusted), name
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
    for name, hpa in by_kind(overlay, "HorizontalPodAutoscaler").items():
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) == ("Deployment", name)
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        # A consumer of a group beyond its topic's partition count would get no partition
        # (docs/scaling.md); a topic read whole by every replica bounds nothing.
        grouped = [
            topic.partitions
            for topic in CATALOG
            if name in topic.consumers and topic.name not in READ_WHOLE
        ]
        if grouped:
            assert hpa["spec"]["maxReplicas"] <= min(grouped), name
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
    ingresses = by_kind(prod, "Ingress")
    assert ingresses["gateway"]["spec"]["tls"]
    assert ingresses["web"]["spec"]["tls"]


def ingress_from(policies: dict[str, Manifest], pod: str) -> list[dict[str, Any]]:
    """The peers the ingress policies of a pod (selected by name) admit."""
    return [
        peer
        for policy in policies.values()
        if "Ingress" in policy["spec"]["policyTypes"]
        and policy["spec"]["podSelector"].get("matchLabels") == {"app.kubernetes.io/name": pod}
        for rule in policy["spec"].get("ingress", [])
        for peer in rule["from"]
    ]


def test_people_reach_the_web_client_where_they_reach_the_gateway(
    overlay: list[Manifest],
) -> None:
    policies = by_kind(overlay, "NetworkPolicy")
    web = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}
    to_gateway = ingress_from(policies, "gateway")
    assert web in to_gateway, "the web client calls the gateway"
    assert ingress_from(policies, "web") == [peer for peer in to_gateway if peer != web]


def test_the_web_client_reaches_only_the_gateway_its_database_and_the_collector(
    overlay: list[Manifest],
) -> None:
    egress = [
        policy["spec"]
        for policy in by_kind(overlay, "NetworkPolicy").values()
        if "Egress" in policy["spec"]["policyTypes"] and "web" in str(policy["spec"]["podSelector"])
    ]
    assert egress, "the web client's egress is restricted"
    rules = [rule for spec in egress for rule in spec.get("egress", [])]
    collector = urlsplit(
        container_env(overlay, by_kind(overlay, "Deployment")["web"])["OTEL_EXPORTER_OTLP_ENDPOINT"]
    )
    assert collector.hostname is not None
    allowed = {
        ("gateway pods", "http"),
        ("anywhere", "27017"),
        (f"namespace {collector.hostname.split('.')[1]}", str(collector.port)),
        ("kube-dns", "53"),
    }
    seen = set()
    for rule in rules:
        assert rule.get("ports"), f"a rule open on every port: {rule}"
        peers = rule.get("to") or [{}]
        for peer in peers:
            if peer == {}:
                where = "anywhere"
            elif peer.get("podSelector", {}).get("matchLabels", {}).get("k8s-app") == "kube-dns":
                where = "kube-dns"
            elif "namespaceSelector" in peer:
                labels = peer["namespaceSelector"]["matchLabels"]
                where = f"namespace {labels['kubernetes.io/metadata.name']}"
            else:
                assert peer["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "gateway"}
                where = "gateway pods"
            for port in rule["ports"]:
                seen.add((where, str(port["port"])))
    assert seen == allowed


def test_the_web_client_has_no_kafka_credentials(overlay: list[Manifest]) -> None:
    assert "web" not in PRINCIPALS, "the catalog names no topic of the web client"
    web = by_kind(overlay, "Deployment")["web"]
    assert not any("KAFKA" in key for key in container_env(overlay, web))
    assert not any("kafka" in secret for secret in secrets_mounted(web))
    access = by_kind(overlay, "Job")["kafka-access"]
    assert "web-kafka" not in secrets_mounted(access)
    assert not any("_WEB" in key for key in container_env(overlay, access))


def test_the_web_client_calls_the_gateway_and_emails_link_to_it(overlay: list[Manifest]) -> None:
    deployments = by_kind(overlay, "Deployment")
    env = container_env(overlay, deployments["web"])
    gateway = urlsplit(env["WEB_GATEWAY_URL"])
    assert (gateway.hostname, gateway.port) == ("gateway", PORTS["gateway"])
    notifications = container_env(overlay, deployments["notifications"])
    assert notifications["NOTIFICATIONS_PUBLIC_BASE_URL"] == env["WEB_PUBLIC_URL"], (
        "links in emails open the web client's pages"
    )
    public = urlsplit(env["WEB_PUBLIC_URL"])
    ingresses = by_kind(overlay, "Ingress")
    if "web" in ingresses:
        spec = ingresses["web"]["spec"]
        assert public.scheme == "https"
        (rule,) = [rule for rule in spec["rules"] if rule["host"] == public.hostname]
        assert any(public.hostname in tls["hosts"] for tls in spec["tls"])
        backends = {
            path["path"]: path["backend"]["service"]["name"] for path in rule["http"]["paths"]
        }
        assert backends["/"] == "web"
        # Emails' one-click unsubscribe links are <public base URL>/api/v1/unsubscribe.
        assert backends["/api"] == "gateway"
    else:
        # No Ingress: `kubectl port-forward svc/web 8080`.
        assert (public.hostname, public.port) == ("127.0.0.1", PORTS["web"])


# --------------------------------------------------------------------------- Kafka is never open


def workloads(manifests: list[Manifest]) -> dict[str, Manifest]:
    """Deployments and Jobs by name."""
    return {**by_kind(manifests, "Deployment"), **by_kind(manifests, "Job")}


def test_the_kafka_principals_wired_are_those_of_the_catalog(overlay: list[Manifest]) -> None:
    # Every piece of a principal's wiring names exactly the catalog's producers and consumers, so
    # a new consumer in the catalog fails here until its pods get their password.
    expected = set(PRINCIPALS)
    deployments = by_kind(overlay, "Deployment")
    assert expected <= set(deployments), "every principal is a service that runs"
    mounting = {
        name
        for name, deployment in deployments.items()
        if any(secret.endswith("-kafka") for secret in secrets_mounted(deployment))
    }
    assert mounting == expected, "the services that mount a Kafka password"
    job = by_kind(overlay, "Job")["kafka-access"]
    handed = {s.removesuffix("-kafka") for s in secrets_mounted(job) if s.endswith("-kafka")}
    assert handed == expected, "the kafka-access Job reads each principal's password"
    users = {
        match.group(1).lower()
        for key in container_env(overlay, job)
        if (match := re.fullmatch(r"CERCHIA_KAFKA_PASSWORD_(\w+?)(?:_FILE)?", key))
    }
    assert users == expected, "the kafka-access Job creates each principal's user"


def test_every_kafka_principal_may_reach_kafka(overlay: list[Manifest]) -> None:
    # Kafka is outside the namespace: a policy restricting a principal's egress must let its pods
    # reach the brokers (the revocations every token verifier reads, the services' topics).
    host, port = platform_config(overlay)["kafka-bootstrap-servers"].split(",")[0].rsplit(":", 1)
    kafka_namespace = host.split(".")[1]

    def admits_kafka(rule: dict[str, Any]) -> bool:
        ports = rule.get("ports") or []
        port_ok = not ports or any(str(entry.get("port")) == port for entry in ports)
        peers = rule.get("to") or []
        peer_ok = not peers or any(
            "ipBlock" in peer
            or peer.get("namespaceSelector", {})
            .get("matchLabels", {})
            .get("kubernetes.io/metadata.name")
            == kafka_namespace
            for peer in peers
        )
        return port_ok and peer_ok

    for principal in PRINCIPALS:
        egress = [
            policy["spec"]
            for policy in by_kind(overlay, "NetworkPolicy").values()
            if "Egress" in policy["spec"].get("policyTypes", [])
            # Policies select pods by name, or all of them.
            and (
                policy["spec"]["podSelector"] == {}
                or principal in str(policy["spec"]["podSelector"])
            )
        ]
        if egress:
            rules = [rule for spec in egress for rule in spec.get("egress", [])]
            assert any(admits_kafka(rule) for rule in rules), f"{principal} cannot reach Kafka"


def test_every_kafka_client_authenticates_over_tls(overlay: list[Manifest]) -> None:
    platform = platform_config(overlay)
    assert platform["kafka-security-protocol"] == "SASL_SSL"
    assert platform["kafka-sasl-mechanism"] == "SCRAM-SHA-512"
    clients = {name: f"{name.upper()}_" for name in PRINCIPALS}
    clients |= {"kafka-topics": "CERCHIA_", "kafka-access": "CERCHIA_"}
    for name, prefix in clients.items():
        workload = workloads(overlay)[name]
        env = container_env(overlay, workload)
        for setting, key in (
            ("KAFKA_BOOTSTRAP_SERVERS", "kafka-bootstrap-servers"),
            ("KAFKA_SECURITY_PROTOCOL", "kafka-security-protocol"),
            ("KAFKA_SASL_MECHANISM", "kafka-sasl-mechanism"),
        ):
            assert env[prefix + setting]["configMapKeyRef"]["key"] == key, (name, setting)
        assert file_source(workload, env[prefix + "KAFKA_CA_FILE"]) == (
            "Secret",
            "kafka-cluster-ca",
            "ca.crt",
        ), name


def test_each_service_reads_its_own_kafka_password_from_a_file(overlay: list[Manifest]) -> None:
    for name, deployment in by_kind(overlay, "Deployment").items():
        env = container_env(overlay, deployment)
        prefix = name.upper() + "_"
        kafka_secrets = {s for s in secrets_mounted(deployment) if s.endswith("-kafka")}
        if name not in PRINCIPALS:
            assert not kafka_secrets, f"{name} has no Kafka principal"
            assert prefix + "KAFKA_SASL_PASSWORD_FILE" not in env
            continue
        assert kafka_secrets == {f"{name}-kafka"}, "its own password, no other"
        assert env.get(prefix + "KAFKA_SASL_USERNAME", name) == name, "the principal is its name"
        password_file = env[prefix + "KAFKA_SASL_PASSWORD_FILE"]
        assert isinstance(password_file, str)
        assert file_source(deployment, password_file) == ("Secret", f"{name}-kafka", "password")


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_no_kafka_password_is_in_the_environment(overlay: list[Manifest], kind: str) -> None:
    for name, workload in by_kind(overlay, kind).items():
        for var in workload["spec"]["template"]["spec"]["containers"][0].get("env", []):
            if "KAFKA" in var["name"] and "PASSWORD" in var["name"]:
                assert var["name"].endswith("_FILE"), (name, var["name"])
                assert "valueFrom" not in var, (name, var["name"])


def test_the_kafka_jobs_run_as_the_operators_with_every_service_password(
    overlay: list[Manifest], tmp_path: Path
) -> None:
    service_images = {
        d["spec"]["template"]["spec"]["containers"][0]["image"]
        for d in by_kind(overlay, "Deployment").values()
    }
    jobs = by_kind(overlay, "Job")
    (access_container,) = jobs["kafka-access"]["spec"]["template"]["spec"]["containers"]
    assert access_container["command"] == ["python", "-m", "cerchia_chassis.acls", "apply"]
    for name in ("kafka-topics", "kafka-access"):
        job = jobs[name]
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["image"] in service_images, name
        env = container_env(overlay, job)
        username = env["CERCHIA_KAFKA_SASL_USERNAME"]["secretKeyRef"]
        assert (username["name"], username["key"]) == ("kafka-admin", "username"), name
        assert file_source(job, env["CERCHIA_KAFKA_SASL_PASSWORD_FILE"]) == (
            "Secret",
            "kafka-admin",
            "password",
        ), name

    # What the ACL command makes of the kafka-access Job's environment, each file written with
    # the name of the Secret and key it comes from.
    job = jobs["kafka-access"]
    files = {}
    for variable, value in container_env(overlay, job).items():
        if variable.endswith("_FILE") and isinstance(value, str):
            kind, secret, key = file_source(job, value)
            files[variable] = tmp_path / variable
            files[variable].write_text(f"{kind} {secret} {key}\n")
    environ = {variable: str(path) for variable, path in files.items()}
    assert service_passwords(environ) == {
        name: f"Secret {name}-kafka password" for name in PRINCIPALS
    }, "each service's user gets the password its pods read"
    operator = KafkaAccess.from_environ(
        {**environ, "CERCHIA_KAFKA_SASL_USERNAME": "admin"}, bootstrap="kafka:9093"
    )
    assert operator.password == "Secret kafka-admin password"


def test_token_keys_public_in_config_private_for_notifications_only(
    overlay: list[Manifest],
) -> None:
    deployments = by_kind(overlay, "Deployment")
    membership = container_env(overlay, deployments["membership"])
    sealing = membership["MEMBERSHIP_TOKEN_SEALING_KEY"]
    assert "configMapKeyRef" in sealing, "the public key is configuration"
    assert not sealing["configMapKeyRef"].get("optional"), "membership refuses to start without"
    notifications = deployments["notifications"]
    opening = container_env(overlay, notifications)["NOTIFICATIONS_TOKEN_OPENING_KEYS_FILE"]
    assert file_source(notifications, opening) == (
        "Secret",
        "notifications-token-keys",
        "opening-keys",
    )
    for name, workload in workloads(overlay).items():
        holds_private = "notifications-token-keys" in secrets_mounted(workload)
        assert holds_private == (name == "notifications"), name
        env = container_env(overlay, workload)
        assert not any("TOKEN_OPENING_KEYS" in key for key in env) or name == "notifications"


def test_the_dev_collector_is_jaeger_with_bounded_memory(render: Callable[[str], str]) -> None:
    manifests = [doc for doc in yaml.safe_load_all(render("observability")) if doc]
    assert {m["metadata"].get("namespace") for m in manifests if m["kind"] != "Namespace"} == {
        "observability"
    }
    (config,) = [
        yaml.safe_load(data["config.yaml"])
        for name, data in config_maps(manifests).items()
        if name.startswith("jaeger-config")
    ]
    stored = config["exporters"]["jaeger_storage_exporter"]["trace_storage"]
    assert config["extensions"]["jaeger_query"]["storage"]["traces"] == stored
    bound = config["extensions"]["jaeger_storage"]["backends"][stored]["memory"]["max_traces"]
    (deployment,) = by_kind(manifests, "Deployment").values()
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["limits"]["memory"] == "512Mi"
    # Jaeger's default of 100 000 traces (~60 KB each) would not fit the limit.
    assert 1000 <= bound <= 512 * 1024 // 60 * 3 // 4
    assert container["args"] == ["--config", "/etc/jaeger/config.yaml"]
    # the dev overlay's services export where this collector listens
    service = by_kind(manifests, "Service")["jaeger-collector"]
    assert 4318 in {p["port"] for p in service["spec"]["ports"]}
    dev = [doc for doc in yaml.safe_load_all(render("overlays/dev")) if doc]
    (telemetry,) = [d for n, d in config_maps(dev).items() if n.startswith("cerchia-telemetry")]
    endpoint = urlsplit(telemetry["OTEL_EXPORTER_OTLP_ENDPOINT"])
    assert (endpoint.hostname, endpoint.port) == ("jaeger-collector.observability.svc", 4318)
