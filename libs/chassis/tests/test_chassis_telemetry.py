"""Exporter selection from the standard OTEL_* variables, and trace ids in JSON logs."""

import json
import logging

import pytest
from opentelemetry.sdk.trace import TracerProvider

from cerchia_chassis.telemetry import TraceContextFilter, _entry_point_name, _exporters

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "protocol", "expected"),
    [
        ("otlp", None, "otlp_proto_http"),
        ("otlp", "grpc", "otlp_proto_grpc"),
        ("zipkin", None, "zipkin_json"),
        ("console", None, "console"),
    ],
)
def test_standard_exporter_names_map_to_installed_entry_points(
    monkeypatch: pytest.MonkeyPatch, name: str, protocol: str | None, expected: str
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", raising=False)
    if protocol is None:
        monkeypatch.delenv("OTEL_EXPORTER_OTLP_PROTOCOL", raising=False)
    else:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
    assert _entry_point_name(name) == expected


def test_unset_exporter_means_none_and_named_ones_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    assert _exporters() == []
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin,otlp")
    monkeypatch.setenv("OTEL_EXPORTER_ZIPKIN_ENDPOINT", "http://127.0.0.1:9/api/v2/spans")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
    exporters = _exporters()
    assert [type(e).__name__ for e in exporters] == ["ZipkinExporter", "OTLPSpanExporter"]
    for exporter in exporters:
        exporter.shutdown()


def test_log_records_carry_the_current_trace_and_span_ids() -> None:
    tracer = TracerProvider().get_tracer("t")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    with tracer.start_as_current_span("work") as span:
        TraceContextFilter().filter(record)
        context = span.get_span_context()
    assert record.trace_id == format(context.trace_id, "032x")  # type: ignore[attr-defined]
    assert record.span_id == format(context.span_id, "016x")  # type: ignore[attr-defined]
    assert json.dumps({"trace": record.trace_id})  # type: ignore[attr-defined]
