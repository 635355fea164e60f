"""OpenTelemetry from the standard ``OTEL_*`` variables, and JSON logs carrying trace ids."""

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points

from opentelemetry import trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from pythonjsonlogger.json import JsonFormatter

_provider: TracerProvider | None = None
_logger = logging.getLogger(__name__)

Clock = Callable[[], float]


# The spec's names for exporters whose Python packages register more specific entry points.
_ALIASES = {
    "otlp": {"http/protobuf": "otlp_proto_http", "grpc": "otlp_proto_grpc"},
    "zipkin": {"": "zipkin_json"},
}


def _entry_point_name(name: str) -> str:
    aliases = _ALIASES.get(name)
    if aliases is None:
        return name
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    return aliases.get(protocol) or aliases.get("", name)


def _exporters() -> list[SpanExporter]:
    # The spec's default is "otlp"; with nothing configured a developer's process would only log
    # connection errors, so an unset variable means no export.
    names = [n.strip() for n in os.environ.get("OTEL_TRACES_EXPORTER", "none").split(",")]
    exporters: list[SpanExporter] = []
    for name in names:
        if name in ("", "none"):
            continue
        (entry_point,) = entry_points(
            group="opentelemetry_traces_exporter", name=_entry_point_name(name)
        )
        exporters.append(entry_point.load()())
    return exporters


class OutageAwareExporter(SpanExporter):
    """Wraps an exporter: while its backend is down, backs off and says so once.

    Without it the batch processor logs an ERROR with a traceback for every failed batch (every
    few seconds while the tracing backend is down) and keeps paying a connection timeout. Here
    a lone failed batch (a busy backend's timeout) is lost but the next batch is tried as usual;
    a second failure in a row is an outage: it logs one WARNING, batches are then dropped
    without trying until the next probe (the wait doubles from ``initial_s`` up to ``max_s``),
    and the first success logs one INFO with how many batches were lost. Tracing is best
    effort: a service never waits for it.
    """

    def __init__(
        self,
        inner: SpanExporter,
        *,
        initial_s: float = 5.0,
        max_s: float = 300.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._inner = inner
        self._initial_s = initial_s
        self._max_s = max_s
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._wait_s = 0.0
        self._retry_at = 0.0
        self._dropped = 0
        self._failed_in_a_row = 0

    @property
    def name(self) -> str:
        """The wrapped exporter's class, as the log lines name it."""
        return type(self._inner).__name__

    @property
    def in_outage(self) -> bool:
        """Whether the last export failed."""
        return self._down_since is not None

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export through the wrapped exporter, unless an outage's back-off is still running."""
        with self._lock:
            if self._down_since is not None and self._clock() < self._retry_at:
                self._dropped += 1
                return SpanExportResult.FAILURE
        try:
            result = self._inner.export(spans)
            error = None if result is SpanExportResult.SUCCESS else "the backend refused the batch"
        except Exception as exc:  # any exporter failure is an outage, never a crash
            result, error = SpanExportResult.FAILURE, f"{type(exc).__name__}: {exc}"
        with self._lock:
            if error is None:
                self._recovered()
            else:
                self._failed(error)
        return result

    def _failed(self, error: str) -> None:
        now = self._clock()
        self._dropped += 1
        self._failed_in_a_row += 1
        if self._failed_in_a_row == 1:
            _logger.info(
                "a trace batch could not be sent (%s: %s); the next one is tried as usual",
                self.name,
                error,
            )
            return
        if self._down_since is None:
            self._down_since = now
            self._wait_s = self._initial_s
            _logger.warning(
                "trace export failing (%s: %s); spans are dropped while the tracing backend is "
                "down, retrying in %.0f s, then less and less often",
                self.name,
                error,
                self._wait_s,
            )
        else:
            self._wait_s = min(self._max_s, self._wait_s * 2)
        self._retry_at = now + self._wait_s

    def _recovered(self) -> None:
        if self._down_since is not None:
            _logger.info(
                "trace export working again (%s) after %.0f s; %d batches were dropped",
                self.name,
                self._clock() - self._down_since,
                self._dropped,
            )
        self._down_since = None
        self._dropped = 0
        self._failed_in_a_row = 0

    def shutdown(self) -> None:
        """Shut the wrapped exporter down."""
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the wrapped exporter, unless its backend is known to be down."""
        return self.in_outage or self._inner.force_flush(timeout_millis)


def configure_tracing(service_name: str) -> TracerProvider:
    """Install the process-wide tracer provider once; later calls return the same provider."""
    global _provider  # noqa: PLW0603 - one provider per process is OpenTelemetry's own rule
    if _provider is not None:
        return _provider
    attributes = {SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", service_name)}
    provider = TracerProvider(resource=Resource.create(attributes))
    for exporter in _exporters():
        provider.add_span_processor(BatchSpanProcessor(OutageAwareExporter(exporter)))
    # OutageAwareExporter reports an outage once; the exporters' own lines (the OTLP exporter's
    # "retrying" warnings and "failed to export" errors) would repeat it on every probe.
    logging.getLogger("opentelemetry.exporter").setLevel(logging.CRITICAL)
    trace.set_tracer_provider(provider)
    PymongoInstrumentor().instrument(tracer_provider=provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    return provider


def flush_tracing() -> None:
    """Export spans still buffered (at shutdown)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)


class TraceContextFilter(logging.Filter):
    """Adds the current trace and span ids to every log record.

    A record that already carries a ``trace_id`` (set by a more specific filter, such as
    ``cerchia_chassis.kafka.MessageTraceFilter`` for FastStream's own lines, which it writes
    outside the message's span) keeps it when no span is current.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        elif getattr(record, "trace_id", None) is None:
            record.trace_id = None
            record.span_id = None
        return True


def configure_logging(service_name: str, *, level: str = "INFO", json: bool = True) -> None:
    """Structured logs on stdout: one JSON object per line with service, trace and span ids."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(TraceContextFilter())
    if json:
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{trace_id}{span_id}",
                style="{",
                static_fields={"service": service_name},
                rename_fields={"levelname": "level", "asctime": "time"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(trace_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
