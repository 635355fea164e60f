"""OpenTelemetry from the standard ``OTEL_*`` variables, and JSON logs carrying trace ids."""

import logging
import os
import sys
from importlib.metadata import entry_points

from opentelemetry import trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from pythonjsonlogger.json import JsonFormatter

_provider: TracerProvider | None = None


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


def configure_tracing(service_name: str) -> TracerProvider:
    """Install the process-wide tracer provider once; later calls return the same provider."""
    global _provider  # noqa: PLW0603 - one provider per process is OpenTelemetry's own rule
    if _provider is not None:
        return _provider
    attributes = {SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", service_name)}
    provider = TracerProvider(resource=Resource.create(attributes))
    for exporter in _exporters():
        provider.add_span_processor(BatchSpanProcessor(exporter))
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
    """Adds the current trace and span ids to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        record.trace_id = format(context.trace_id, "032x") if context.is_valid else None
        record.span_id = format(context.span_id, "016x") if context.is_valid else None
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
