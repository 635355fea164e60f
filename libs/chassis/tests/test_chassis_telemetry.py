"""Exporter selection from the standard OTEL_* variables, quiet outages of the tracing backend,
and trace ids in JSON logs."""

import json
import logging
import socket
from collections.abc import Sequence
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from cerchia_chassis.kafka import MessageTraceFilter
from cerchia_chassis.telemetry import (
    OutageAwareExporter,
    TraceContextFilter,
    _entry_point_name,
    _exporters,
    configure_logging,
)

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


class FlakyExporter(SpanExporter):
    """Fails while ``down``; counts the calls that reached it."""

    def __init__(self) -> None:
        self.down = True
        self.calls = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.calls += 1
        if self.down:
            raise ConnectionError("connection refused")
        return SpanExportResult.SUCCESS


def levels(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The levels of the lines the exporter wrapper logged (other loggers left out)."""
    return [r.levelname for r in caplog.records if r.name == "cerchia_chassis.telemetry"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_logs_one_warning_backs_off_and_logs_its_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    inner, clock = FlakyExporter(), Clock()
    exporter = OutageAwareExporter(inner, initial_s=5, max_s=20, clock=clock)
    caplog.set_level(logging.DEBUG)
    results = []
    for _ in range(60):  # two minutes of batches, one every 2 s, the backend down
        results.append(exporter.export([]))
        clock.now += 2
    assert set(results) == {SpanExportResult.FAILURE}
    # tries at 0 and 2 (the outage begins), probes at 8 (5 s), 18 (10 s), 38, 58, ... (20 s at
    # most): not every batch
    assert 6 <= inner.calls <= 9
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "trace export failing" in warnings[0].getMessage()
    assert "connection refused" in warnings[0].getMessage()
    assert warnings[0].exc_info is None  # no traceback every few seconds

    inner.down = False
    clock.now += 20
    assert exporter.export([]) is SpanExportResult.SUCCESS
    assert not exporter.in_outage
    recovered = [r for r in caplog.records if "working again" in r.getMessage()]
    assert len(recovered) == 1
    assert recovered[0].levelno == logging.INFO
    assert exporter.export([]) is SpanExportResult.SUCCESS
    # the first failure's line, the outage's warning, its end; nothing more while it works
    assert levels(caplog) == ["INFO", "WARNING", "INFO"]


def test_a_lone_failed_batch_is_not_an_outage(caplog: pytest.LogCaptureFixture) -> None:
    # A busy backend times out one batch: the batches after it are still sent, not dropped for
    # a back-off (that lost the parent spans of a trace whose children had been sent).
    inner, clock = FlakyExporter(), Clock()
    exporter = OutageAwareExporter(inner, clock=clock)
    caplog.set_level(logging.DEBUG)
    assert exporter.export([]) is SpanExportResult.FAILURE
    assert not exporter.in_outage
    inner.down = False
    clock.now += 1
    assert exporter.export([]) is SpanExportResult.SUCCESS
    inner.down = True
    assert exporter.export([]) is SpanExportResult.FAILURE
    inner.down = False
    assert exporter.export([]) is SpanExportResult.SUCCESS
    assert inner.calls == 4
    assert levels(caplog) == ["INFO", "INFO"]
    assert "the next one is tried" in caplog.records[0].getMessage()


def test_a_refused_batch_counts_as_an_outage(caplog: pytest.LogCaptureFixture) -> None:
    class Refusing(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.FAILURE

    exporter = OutageAwareExporter(Refusing(), clock=Clock())
    caplog.set_level(logging.DEBUG)
    exporter.export([])
    assert not exporter.in_outage  # one refused batch is lost, the next is tried
    exporter.export([])
    assert exporter.in_outage
    assert levels(caplog) == ["INFO", "WARNING"]


def test_with_zipkin_down_the_real_exporter_logs_one_warning_not_an_error_per_batch(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin")
    monkeypatch.setenv("OTEL_EXPORTER_ZIPKIN_ENDPOINT", f"http://127.0.0.1:{port}/api/v2/spans")
    caplog.set_level(logging.DEBUG)
    (zipkin,) = _exporters()
    provider = TracerProvider()
    provider.add_span_processor(
        BatchSpanProcessor(OutageAwareExporter(zipkin), schedule_delay_millis=50)
    )
    tracer = provider.get_tracer("t")
    for _ in range(10):
        with tracer.start_as_current_span("work"):
            pass
        provider.force_flush(timeout_millis=2000)
    provider.shutdown()
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage()[:20] for r in problems] == ["trace export failing"]
    assert "ZipkinExporter" in problems[0].getMessage()
    assert not any("Exception while exporting" in r.getMessage() for r in caplog.records)


def test_a_trace_id_set_by_a_more_specific_filter_survives_outside_any_span() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Received", None, None)
    record.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    record.span_id = "00f067aa0ba902b7"
    TraceContextFilter().filter(record)
    assert record.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    TraceContextFilter().filter(plain)
    assert plain.trace_id is None  # type: ignore[attr-defined]


class FakeMessage:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers


class FakeContext:
    def __init__(self, message: Any) -> None:
        self.message = message

    def get_local(self, key: str, default: Any = None) -> Any:
        return self.message if key == "message" else default


def test_faststream_lines_about_a_message_get_the_trace_of_its_traceparent() -> None:
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    record = logging.LogRecord("svc.kafka", logging.INFO, __file__, 1, "Received", None, None)
    MessageTraceFilter(FakeContext(FakeMessage({"traceparent": traceparent}))).filter(record)
    TraceContextFilter().filter(record)
    assert record.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"  # type: ignore[attr-defined]
    assert record.span_id == "00f067aa0ba902b7"  # type: ignore[attr-defined]
    for message in (None, FakeMessage({}), FakeMessage({"traceparent": "garbage"})):
        other = logging.LogRecord("svc.kafka", logging.INFO, __file__, 1, "x", None, None)
        MessageTraceFilter(FakeContext(message)).filter(other)
        TraceContextFilter().filter(other)
        assert other.trace_id is None  # type: ignore[attr-defined]


def test_json_lines_carry_trace_and_span_ids(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("probe", level="INFO", json=True)
        tracer = TracerProvider().get_tracer("t")
        with tracer.start_as_current_span("work") as span:
            logging.getLogger("probe.handler").info("handling %s", "it", extra={"outcome": "ok"})
            context = span.get_span_context()
        logging.getLogger("probe.handler").info("after")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    inside, after = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert inside["service"] == "probe"
    assert inside["outcome"] == "ok"
    assert inside["message"] == "handling it"
    assert after["trace_id"] is None
