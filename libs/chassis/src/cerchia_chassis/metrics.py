"""Metrics through OpenTelemetry's API, exposed for Prometheus at ``/metrics`` on the HTTP port.

Instruments are created with ``meter()`` anywhere (at import time too: the API hands out proxies
until ``configure_metrics`` installs the provider). Every series is documented in
docs/metrics.md; names start with ``cerchia_``. Gauges whose value costs a query (Kafka offsets,
the outbox) are sampled by a background loop into a ``GaugeSet`` and read from it at scrape time,
so a scrape never waits on Kafka or MongoDB.
"""

import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Response
from opentelemetry import metrics
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.metrics import CallbackOptions, Meter, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.view import DropAggregation, View
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PATH = "/metrics"

#: Request and call durations, in seconds (Prometheus' own defaults, which fit HTTP well).
DURATION_BUCKETS_S: Sequence[float] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
#: End-to-end latencies of the asynchronous pipeline (event → delivery), in seconds.
PIPELINE_BUCKETS_S: Sequence[float] = (
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0,
)  # fmt: skip
#: Counts of things (recipients of one event).
SIZE_BUCKETS: Sequence[float] = (0, 1, 2, 5, 10, 25, 50, 100, 150, 250, 500, 1000)

_registry: CollectorRegistry | None = None
_provider: MeterProvider | None = None


def configure_metrics(service_name: str) -> CollectorRegistry:
    """Install the process-wide meter provider once; return the registry ``/metrics`` serves."""
    global _registry, _provider
    if _registry is not None:
        return _registry
    registry = CollectorRegistry(auto_describe=True)
    # Scope labels would repeat the instrumenting module on every series: the names say enough.
    reader = PrometheusMetricReader(scope_info_enabled=False, registry=registry)
    provider = MeterProvider(
        metric_readers=[reader],
        resource=Resource.create({SERVICE_NAME: service_name}),
        # The FastAPI and httpx instrumentations record HTTP metrics of their own: they would
        # duplicate cerchia_http_server_duration_seconds under other names and units. Every series
        # this exposes is documented (docs/metrics.md).
        views=[View(instrument_name="http.*", aggregation=DropAggregation())],
    )
    metrics.set_meter_provider(provider)
    _registry, _provider = registry, provider
    return registry


def meter(name: str) -> Meter:
    """The meter instruments of module ``name`` are created with."""
    return metrics.get_meter(name)


def exposition() -> bytes:
    """Every series in Prometheus' text format (empty before ``configure_metrics``)."""
    return b"" if _registry is None else generate_latest(_registry)


def metrics_router() -> APIRouter:
    """``GET /metrics``: open to the scraper, outside the API documents and the HTTP metrics."""
    router = APIRouter()

    @router.get(PATH, include_in_schema=False)
    async def scrape() -> Response:
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


_http_duration = meter(__name__).create_histogram(
    "cerchia.http.server.duration",
    unit="s",
    description="HTTP requests served, by method, route template and status code.",
    explicit_bucket_boundaries_advisory=DURATION_BUCKETS_S,
)


_ROUTE_NAME = "cerchia.metrics.route"


def name_route(scope: Scope, name: str) -> None:
    """Label this request's HTTP series ``name`` rather than its route template (a catch-all
    route saying which of a few targets it served: the gateway names the upstream)."""
    scope[_ROUTE_NAME] = name


def route_of(scope: Scope) -> str:
    """The route template that answered (``/api/v1/communities/{community_id}``), never the raw
    path: raw paths would make a series per id. ``unmatched`` when no route did (404s)."""
    named = scope.get(_ROUTE_NAME)
    if isinstance(named, str):
        return named
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(path, str):
        return path
    mount = scope.get("root_path", "")
    return f"{mount}/*" if mount else "unmatched"


class HttpMetrics:
    """ASGI middleware recording each request's duration by method, route and status."""

    def __init__(self, app: ASGIApp, *, excluded: Iterable[str] = (PATH,)) -> None:
        self.app = app
        self._excluded = frozenset(excluded)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._excluded:
            await self.app(scope, receive, send)
            return
        status = 500  # an exception escaping the app is answered 500 by the server
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            _http_duration.record(
                time.perf_counter() - started,
                {"method": scope["method"], "route": route_of(scope), "status": str(status)},
            )


Attributes = Mapping[str, str]


class GaugeSet:
    """The latest sampled values of a few gauges, read when Prometheus scrapes.

    A sampler calls ``replace(name, values)`` with every series of a gauge at once, so a series
    that disappeared (a partition no longer assigned) stops being reported.
    """

    def __init__(self) -> None:
        self._values: dict[str, list[tuple[dict[str, str], float]]] = {}
        _gauge_sets.add(self)

    def replace(self, name: str, values: Iterable[tuple[Attributes, float]]) -> None:
        """Set every series of gauge ``name`` (one of ``SAMPLED_GAUGES``)."""
        if name not in SAMPLED_GAUGES:
            raise KeyError(f"{name} is not a sampled gauge: {sorted(SAMPLED_GAUGES)}")
        self._values[name] = [(dict(attributes), value) for attributes, value in values]

    def values(self, name: str) -> list[tuple[dict[str, str], float]]:
        """The series of gauge ``name`` as last sampled."""
        return list(self._values.get(name, ()))


_gauge_sets: "weakref.WeakSet[GaugeSet]" = weakref.WeakSet()

#: The sampled gauges: OpenTelemetry name → (unit, description).
SAMPLED_GAUGES: Mapping[str, tuple[str, str]] = {
    "cerchia.consumer.lag": (
        "{message}",
        "Records not yet committed by a consumer group, per topic and partition "
        "(end offset minus committed offset).",
    ),
    "cerchia.outbox.backlog": ("{record}", "Outbox records not yet published to Kafka."),
    "cerchia.outbox.oldest.age": (
        "s",
        "Age of the oldest outbox record not yet published (0 when none is waiting).",
    ),
    "cerchia.dlq.depth": (
        "{message}",
        "Records held on a dead-letter topic this service writes, per topic.",
    ),
}


def _observer(name: str) -> Any:
    def observe(options: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(value, attributes)
            for gauge_set in list(_gauge_sets)
            for attributes, value in gauge_set.values(name)
        ]

    return observe


for _name, (_unit, _description) in SAMPLED_GAUGES.items():
    meter(__name__).create_observable_gauge(
        _name, callbacks=[_observer(_name)], unit=_unit, description=_description
    )
