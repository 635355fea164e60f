"""Every service's /metrics after a small journey: the named series, with plausible values.

A sign-up crosses the platform (gateway → membership → outbox → Kafka → notifications → SMTP);
then every consumer's lag returns to 0 and every outbox empties, the email delivery is counted
with its latency, and one poison message raises the dead-letter depth by exactly one.
"""

import re
import uuid
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from cerchia_contracts.catalog import CONTENT_MODERATION
from cerchia_devstack.kafka import KafkaCluster
from tests.platform import UPSTREAMS, Platform, eventually, sign_up

# The platform's start (shared by the package's modules) may fall within this test's time.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
#: The services that consume topics through the chassis (membership only produces).
CONSUMERS = ("content", "events", "notifications")

Samples = list[tuple[str, dict[str, str], float]]
METRICS_DOC = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"


def documented() -> set[str]:
    """Every name a series of docs/metrics.md is exposed under."""
    names = set()
    for name, kind in re.findall(r"^\| `([a-z_]+)` \| (\w+) \|", METRICS_DOC.read_text(), re.M):
        names.add(name)
        if kind == "histogram":
            names.update(name + part for part in ("_bucket", "_count", "_sum"))
        if kind == "counter":
            names.add(name.removesuffix("_total") + "_created")
    return names


async def scrape(platform: Platform, service: str) -> Samples:
    """Every sample ``service`` exposes now (straight to its port: no gateway in between)."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(platform.processes[service].url + "/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    ]


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    return sum(
        value
        for sample, found, value in samples
        if sample == name and labels.items() <= found.items()
    )


def present(samples: Samples, name: str) -> bool:
    return any(sample == name for sample, _, _ in samples)


async def test_every_service_exposes_its_series_and_the_pipeline_drains(
    platform: Platform, kafka: KafkaCluster
) -> None:
    async with platform.client() as client:
        member = await sign_up(client, platform.smtp, "Metrics")
        me = await client.get("/api/v1/profiles/me", headers=member.auth)
        assert me.status_code == 200, me.text
        # The gateway's own /metrics is its own: neither proxied nor behind a token.
        assert (await client.get("/metrics")).status_code == 200
    async with httpx.AsyncClient(base_url=platform.web_url, timeout=10) as browser:
        assert (await browser.get("/login")).status_code == 200

    for service in [*UPSTREAMS, "gateway", "web"]:
        samples = await scrape(platform, service)
        undocumented = {name for name, _, _ in samples} - documented()
        assert not undocumented, f"{service} exposes series docs/metrics.md does not list"
        count = "cerchia_http_server_duration_seconds_count"
        assert total(samples, count) > 0, f"{service} counted no request"
        routes = {found["route"] for name, found, _ in samples if name == count}
        assert not [route for route in routes if member.id in route], routes  # templates only
    web = await scrape(platform, "web")
    assert total(web, "cerchia_web_render_duration_seconds_count", kind="page") >= 1

    async def drained() -> bool:
        for service in UPSTREAMS:
            samples = await scrape(platform, service)
            if not present(samples, "cerchia_outbox_backlog"):
                return False
            if total(samples, "cerchia_outbox_backlog") or total(
                samples, "cerchia_outbox_oldest_age_seconds"
            ):
                return False
            if service in CONSUMERS and not present(samples, "cerchia_consumer_lag"):
                return False
            if total(samples, "cerchia_consumer_lag"):
                return False
        return True

    await eventually(drained, what="every consumer's lag at 0 and every outbox empty", timeout=30)

    async def delivered() -> bool:
        samples = await scrape(platform, "notifications")
        name = "cerchia_notifications_deliveries_total"
        latency = "cerchia_notifications_delivery_latency_seconds"
        return bool(
            total(samples, name, channel="email", outcome="sent") >= 1
            and total(samples, latency + "_count", channel="email") >= 1
        )

    # The address check's email reached the sink: its delivery is recorded right after.
    await eventually(delivered, what="the email delivery counted with its latency", timeout=15)
    notifications = await scrape(platform, "notifications")
    sent = total(
        notifications, "cerchia_notifications_deliveries_total", channel="email", outcome="sent"
    )
    latency = total(
        notifications, "cerchia_notifications_delivery_latency_seconds_count", channel="email"
    )
    # Seconds on this machine, not minutes: the latency runs from the event, not from a clock
    # of another kind.
    average = (
        total(notifications, "cerchia_notifications_delivery_latency_seconds_sum", channel="email")
        / latency
    )
    assert 0 < average < 60, average
    assert (
        total(
            notifications, "cerchia_notifications_provider_duration_seconds_count", channel="email"
        )
        >= sent
    )
    assert total(notifications, "cerchia_notifications_fanout_size_count", audience="people") >= 1

    # One poison message on a topic only notifications consumes: its DLQ depth goes up by one.
    dlq = CONTENT_MODERATION.dlq
    before = total(notifications, "cerchia_dlq_depth", topic=dlq)
    assert present(notifications, "cerchia_dlq_depth")
    producer = AIOKafkaProducer(**kafka.admin.client_kwargs())
    await producer.start()
    try:
        poison = f"not an event {uuid.uuid4().hex}".encode()
        await producer.send_and_wait(CONTENT_MODERATION.name, value=poison, key=b"metrics")
    finally:
        await producer.stop()

    async def parked() -> bool:
        samples = await scrape(platform, "notifications")
        return total(samples, "cerchia_dlq_depth", topic=dlq) >= before + 1 and not total(
            samples, "cerchia_consumer_lag", topic=CONTENT_MODERATION.name
        )

    await eventually(parked, what=f"the poison message counted on {dlq}", timeout=30)
    after = await scrape(platform, "notifications")
    assert total(after, "cerchia_dlq_depth", topic=dlq) == before + 1
    assert total(after, "cerchia_dlq_messages_total", topic=dlq) >= 1
