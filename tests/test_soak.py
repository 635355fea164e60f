"""A soak: minutes of the bench's load on the whole platform, traced to the local tracing server.

The bench's HTTP load generator reads a thread and posts threads through the gateway while
people sign up (each sign-up sends two emails), for ``CERCHIA_SOAK_SECONDS`` (120 by default).
The tracing server's query API is probed all along and must keep answering. Afterwards one
last sign-up, whose trace id the gateway returns, must be one connected trace in that server:
gateway → membership → its outbox's publish to Kafka → notifications' consume → the SMTP send;
and the notifications process's log lines for its consume and its send carry the trace's id.

Covered elsewhere and not repeated here: every service's /metrics after a journey, lag back to 0
and a poison message raising DLQ depth by one (tests/test_e2e_metrics.py); the DLQ tool's
list, peek and replay on a real DLQ (libs/chassis/tests/test_chassis_dlq.py).
"""

import asyncio
import contextlib
import json
import os
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cerchia_bench.harness import percentile
from cerchia_bench.scenarios import http
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.mail_sink import InProcessSmtpSink
from cerchia_devstack.ports import pid_listening_on
from cerchia_devstack.pytest_plugin import AuthKeys
from cerchia_devstack.trace_backend import Span, TraceBackend
from tests.platform import Member, Platform, eventually, sign_up, start_platform, unique

#: How long the load runs; CI keeps the default, a longer soak is one variable away.
SOAK_SECONDS = float(os.environ.get("CERCHIA_SOAK_SECONDS", "120"))
#: Requests in flight for reads and for posts (the bench uses 32 on a machine of its own).
CONCURRENCY = int(os.environ.get("CERCHIA_SOAK_CONCURRENCY", "8"))
#: The tracing UI counts as answering within this many seconds.
TRACING_ANSWER_S = 5.0

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.alone,
    # The platform's start, the load, and the last trace's arrival.
    pytest.mark.timeout(int(SOAK_SECONDS) + 300),
]


@pytest.fixture(scope="module")
async def traced_platform(
    tmp_path_factory: pytest.TempPathFactory,
    kafka: KafkaCluster,
    mongo_uri: str,
    auth_keys: AuthKeys,
    trace_backend: TraceBackend,
) -> AsyncIterator[Platform]:
    """The whole platform exporting every span to the session's tracing server."""
    sink = InProcessSmtpSink().start()
    try:
        started = await start_platform(
            tmp_path_factory.mktemp("soak"),
            kafka=kafka,
            mongo_uri=mongo_uri,
            smtp=sink,
            keys=auth_keys,
            env={
                "OTEL_TRACES_EXPORTER": "zipkin_json",
                "OTEL_EXPORTER_ZIPKIN_ENDPOINT": trace_backend.spans_endpoint,
            },
        )
        try:
            yield started
        finally:
            started.stop()
    finally:
        sink.stop()


@dataclass
class Tally:
    """What the load did."""

    requests: int = 0
    errors: int = 0
    sign_ups: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    #: How long each probe of the tracing server's API took to answer, in seconds.
    tracing_answers_s: list[float] = field(default_factory=list)
    tracing_failures: list[str] = field(default_factory=list)


async def tracing_answers(backend: TraceBackend) -> float:
    """Seconds the query API took to list the services (raises if it did not answer in time)."""
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=TRACING_ANSWER_S) as client:
        response = await client.get(f"{backend.api_url}/api/v2/services")
    response.raise_for_status()
    return time.perf_counter() - started


async def watch_tracing(backend: TraceBackend, tally: Tally, stop: asyncio.Event) -> None:
    """Probe the tracing server every few seconds while the load runs."""
    while not stop.is_set():
        try:
            tally.tracing_answers_s.append(await tracing_answers(backend))
        except httpx.HTTPError as error:
            tally.tracing_failures.append(f"{type(error).__name__}: {error}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=5)


async def open_community(client: httpx.AsyncClient, owner: Member) -> str:
    """A community of the owner's, once content lets her post in it."""
    created = await client.post(
        "/api/v1/communities",
        headers=owner.auth,
        json={
            "name": "Soak",
            "slug": unique("soak-"),
            "purpose": "Keep the platform busy for a few minutes.",
            "audience": "The test machine.",
            "language": "en",
            "visibility": "public",
            "join_policy": "application",
            "capacity": 10,
            "code_of_conduct": "Be kind to one another.",
        },
    )
    assert created.status_code == 201, created.text
    community_id: str = created.json()["id"]
    deadline = time.monotonic() + 60
    while True:
        # Content learns of the community from Kafka.
        posted = await client.post(
            f"/api/v1/communities/{community_id}/threads",
            headers=owner.auth,
            json={"title": "Read me", "body": "The thread every read of the soak reads."},
        )
        if posted.status_code == 201:
            return community_id
        assert time.monotonic() < deadline, posted.text
        await asyncio.sleep(0.5)


def resident_mb(backend: TraceBackend) -> float | None:
    """Resident memory of the tracing server's process, if it runs on this machine."""
    port = urlparse(backend.api_url).port
    pid = pid_listening_on(port) if port is not None else None
    if pid is None:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


@dataclass(frozen=True)
class CollectorFigures:
    """What a Zipkin server says of itself on ``/prometheus``."""

    spans: float
    dropped: float
    heap_used_mb: float
    heap_max_mb: float


async def collector_figures(backend: TraceBackend) -> CollectorFigures | None:
    """Spans received and dropped, and the heap in use, if the server is Zipkin's."""
    async with httpx.AsyncClient(timeout=TRACING_ANSWER_S) as client:
        response = await client.get(f"{backend.api_url}/prometheus")
    if response.status_code != 200:
        return None
    samples = [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    ]

    def total(name: str, **labels: str) -> float:
        return sum(
            value
            for found, tags, value in samples
            if found == name and labels.items() <= tags.items() and value > 0
        )

    return CollectorFigures(
        spans=total("zipkin_collector_spans_total", transport="http"),
        dropped=total("zipkin_collector_spans_dropped_total", transport="http"),
        heap_used_mb=total("jvm_memory_used_bytes", area="heap") / 2**20,
        heap_max_mb=total("jvm_memory_max_bytes", area="heap") / 2**20,
    )


def connected(spans: list[Span]) -> bool:
    """gateway → membership → Kafka → notifications → SMTP, all present."""
    seen = {(span.get("localEndpoint", {}).get("serviceName"), span.get("kind")) for span in spans}
    return {
        ("gateway", "SERVER"),
        ("gateway", "CLIENT"),
        ("membership", "SERVER"),
        ("membership", "PRODUCER"),
        ("notifications", "CONSUMER"),
    } <= seen and any(span.get("name") == "smtp send" for span in spans)


def roots_of(spans: list[Span]) -> list[Span]:
    """The spans whose parent is not among them."""
    ids = {span["id"] for span in spans}
    return [span for span in spans if span.get("parentId") not in ids]


def whole(spans: list[Span]) -> bool:
    """Connected, and every span's parent arrived too (a trace reaches the server in batches
    from several processes, and a parent span ends, so is exported, after its children)."""
    return connected(spans) and len(roots_of(spans)) == 1


def export_trouble(platform: Platform) -> list[str]:
    """What the services logged about spans they could not send."""
    return [
        f"{name}: {line.get('message')}"
        for name, process in platform.processes.items()
        for line in log_lines(process.log_path)
        if str(line.get("name")).startswith(("opentelemetry", "cerchia_chassis.telemetry"))
        and line.get("level") in ("WARNING", "ERROR")
    ]


def log_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a service's log (its other output is skipped)."""
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
    return lines


async def load_round(
    platform: Platform,
    client: httpx.AsyncClient,
    *,
    owner: Member,
    community_id: str,
    thread_id: str,
    number: int,
    tally: Tally,
) -> None:
    """Reads of one thread and posts of new ones through the gateway, beside two sign-ups."""
    reads, posts, *_ = await asyncio.gather(
        http.load(
            f"{platform.url}/api/v1/threads/{thread_id}",
            headers=owner.auth,
            requests=20 * CONCURRENCY,
            concurrency=CONCURRENCY,
        ),
        http.load(
            f"{platform.url}/api/v1/communities/{community_id}/threads",
            method="POST",
            headers=owner.auth,
            json_body={"title": f"Soak round {number}", "body": "Still here."},
            requests=2 * CONCURRENCY,
            concurrency=max(1, CONCURRENCY // 2),
        ),
        sign_up(client, platform.smtp, "Busy"),
        sign_up(client, platform.smtp, "Busier"),
    )
    for measured in (reads, posts):
        tally.requests += len(measured.latencies_ms)
        tally.errors += int(measured.figures["errors"])
        tally.latencies_ms.extend(measured.latencies_ms)
    tally.sign_ups += 2


async def test_minutes_of_load_leave_the_tracing_ui_answering_with_the_last_trace_whole(
    traced_platform: Platform, trace_backend: TraceBackend
) -> None:
    platform = traced_platform
    tally = Tally()
    async with platform.client() as client:
        owner = await sign_up(client, platform.smtp, "Soak")
        community_id = await open_community(client, owner)
        threads = await client.get(
            f"/api/v1/communities/{community_id}/threads", headers=owner.auth
        )
        assert threads.status_code == 200, threads.text
        thread_id = threads.json()["items"][0]["id"]

        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_tracing(trace_backend, tally, stop))
        started = time.monotonic()
        rounds = 0
        try:
            while time.monotonic() - started < SOAK_SECONDS:
                rounds += 1
                await load_round(
                    platform,
                    client,
                    owner=owner,
                    community_id=community_id,
                    thread_id=thread_id,
                    number=rounds,
                    tally=tally,
                )
        finally:
            stop.set()
            await watcher
        elapsed = time.monotonic() - started

        # The last request, after the load: a sign-up, which emails the new address.
        email = f"{unique('last')}@example.org"
        registered = await client.post(
            "/api/v1/users",
            json={
                "email": email,
                "password": "correct horse battery staple",
                "display_name": "Last",
                "locale": "en",
            },
        )
    assert registered.status_code == 201, registered.text
    trace_id = registered.headers["x-trace-id"]
    await platform.smtp.wait_for(lambda m: m["To"] == email, timeout=60)

    answered_s = await tracing_answers(trace_backend)
    async with httpx.AsyncClient(timeout=TRACING_ANSWER_S) as browser:
        ui = await browser.get(f"{trace_backend.api_url}/zipkin/")
    try:
        spans = await trace_backend.wait_for_trace(trace_id, whole, timeout=60)
    except TimeoutError as incomplete:
        spans = await trace_backend.trace(trace_id)
        roots = [(s.get("localEndpoint"), s["name"], s.get("parentId")) for s in roots_of(spans)]
        raise AssertionError(
            f"{incomplete}; roots {roots}; export trouble logged: {export_trouble(platform)}"
        ) from incomplete
    memory = resident_mb(trace_backend)
    collector = await collector_figures(trace_backend)
    p50, p99 = percentile(tally.latencies_ms, 0.5), percentile(tally.latencies_ms, 0.99)
    slowest = max(tally.tracing_answers_s, default=0.0)
    print(
        f"soak: {elapsed:.0f} s, {rounds} rounds, {tally.requests} requests "
        f"({tally.requests / elapsed:.1f}/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms), "
        f"{tally.errors} errors, {tally.sign_ups} sign-ups; tracing API probed "
        f"{len(tally.tracing_answers_s)} times, slowest {slowest:.2f} s, "
        f"{len(tally.tracing_failures)} failures; tracing server resident memory "
        + (f"{memory:.0f} MB" if memory is not None else "not measurable here")
        + (
            f"; it received {collector.spans:.0f} spans, dropped {collector.dropped:.0f}, "
            f"heap {collector.heap_used_mb:.0f} of {collector.heap_max_mb:.0f} MB"
            if collector is not None
            else ""
        )
    )

    assert tally.errors == 0, f"{tally.errors} of {tally.requests} requests failed"
    assert tally.requests >= 20 * CONCURRENCY
    assert not tally.tracing_failures, tally.tracing_failures
    assert tally.tracing_answers_s, "the tracing server was never probed"
    assert answered_s < TRACING_ANSWER_S
    assert ui.status_code == 200
    if collector is not None:
        assert collector.spans > tally.requests  # every request left spans there
        assert collector.dropped == 0

    # One trace, every span of it connected to another of it.
    assert {span["traceId"] for span in spans} == {trace_id}
    roots = roots_of(spans)
    assert len(roots) == 1, [(s.get("localEndpoint"), s["name"]) for s in roots]
    assert roots[0]["localEndpoint"]["serviceName"] == "gateway"

    # The notifications process logged the consume and the send with that trace's id, each
    # with its own span's id (and no address).
    def traced_lines() -> list[dict[str, Any]]:
        log = platform.processes["notifications"].log_path
        return [line for line in log_lines(log) if line.get("trace_id") == trace_id]

    async def send_logged() -> bool:
        return any(line.get("outcome") == "sent" for line in traced_lines())

    await eventually(send_logged, what=f"a send logged with trace {trace_id}", timeout=15)
    lines = traced_lines()
    sends = [line for line in lines if line.get("channel") == "email"]
    assert [line.get("outcome") for line in sends] == ["sent"] * len(sends), sends
    assert sends, f"no email send logged with trace {trace_id}: {lines}"
    consumed = [line for line in lines if line.get("message") == "Received"]
    # The registration event, and the sealed verification token published beside it.
    assert {line.get("topic") for line in consumed} >= {"membership.users.v1"}, lines
    assert all(line.get("span_id") for line in [*sends, *consumed]), lines
    assert email not in json.dumps(lines)
