"""Metric helpers: HTTP series per route template, sampled gauges, lag and depth arithmetic."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from aiokafka import TopicPartition
from aiokafka.structs import OffsetAndMetadata
from fastapi import FastAPI, HTTPException, Request
from prometheus_client.parser import text_string_to_metric_families

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.metrics import (
    PATH,
    GaugeSet,
    HttpMetrics,
    configure_metrics,
    exposition,
    metrics_router,
    name_route,
)
from cerchia_chassis.pipeline_metrics import PipelineSampler, depth_by_topic, partition_lag

pytestmark = pytest.mark.unit


def _samples(name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found = {}
    for family in text_string_to_metric_families(exposition().decode()):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def _app() -> FastAPI:
    configure_metrics("metrics-test")
    app = FastAPI()
    app.include_router(metrics_router())

    @app.get("/proxy/{path:path}")
    async def proxy(path: str, request: Request) -> dict[str, str]:
        name_route(request.scope, f"/proxy/* ({path.split('/', maxsplit=1)[0]})")
        return {}

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        if thing_id == "missing":
            raise HTTPException(404)
        if thing_id == "broken":
            raise RuntimeError("boom")
        return {"id": thing_id}

    app.add_middleware(HttpMetrics)
    return app


async def _get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path)


def _count(route: str, status: str) -> float:
    key = (("method", "GET"), ("route", route), ("status", status))
    return _samples("cerchia_http_server_duration_seconds_count").get(key, 0.0)


async def test_requests_are_counted_per_route_template_and_status_not_per_raw_path() -> None:
    app = _app()
    before_ok, before_404 = _count("/things/{thing_id}", "200"), _count("/things/{thing_id}", "404")
    before_500 = _count("/things/{thing_id}", "500")
    for path in ("/things/a", "/things/b", "/things/missing", "/things/broken"):
        await _get(app, path)
    assert _count("/things/{thing_id}", "200") == before_ok + 2
    assert _count("/things/{thing_id}", "404") == before_404 + 1
    assert _count("/things/{thing_id}", "500") == before_500 + 1
    routes = {dict(k)["route"] for k in _samples("cerchia_http_server_duration_seconds_count")}
    assert "/things/a" not in routes


async def test_a_catch_all_route_may_name_what_it_served() -> None:
    app = _app()
    before = _count("/proxy/* (content)", "200")
    await _get(app, "/proxy/content/threads/1")
    await _get(app, "/proxy/content/threads/2")
    assert _count("/proxy/* (content)", "200") == before + 2
    assert _count("/proxy/{path:path}", "200") == 0


async def test_unknown_paths_share_one_series_and_the_scrape_itself_is_not_counted() -> None:
    app = _app()
    before = _count("unmatched", "404")
    await _get(app, "/no/such/page/123")
    await _get(app, "/no/such/page/456")
    assert _count("unmatched", "404") == before + 2
    response = await _get(app, PATH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "cerchia_http_server_duration_seconds" in response.text
    assert _count(PATH, "200") == 0


def test_sampled_gauges_report_the_latest_values_and_drop_series_that_went_away() -> None:
    configure_metrics("metrics-test")
    gauges = GaugeSet()
    lag = [
        ({"group": "g-test", "topic": "t", "partition": "0"}, 3.0),
        ({"group": "g-test", "topic": "t", "partition": "1"}, 0.0),
    ]
    gauges.replace("cerchia.consumer.lag", lag)
    gauges.replace("cerchia.outbox.oldest.age", [({}, 12.5)])
    found = _samples("cerchia_consumer_lag")
    assert found[(("group", "g-test"), ("partition", "0"), ("topic", "t"))] == 3.0
    assert _samples("cerchia_outbox_oldest_age_seconds")[()] == 12.5
    gauges.replace("cerchia.consumer.lag", [lag[1]])
    found = _samples("cerchia_consumer_lag")
    assert (("group", "g-test"), ("partition", "0"), ("topic", "t")) not in found
    with pytest.raises(KeyError):
        gauges.replace("cerchia.consumer.lagg", [])


def test_lag_counts_from_the_commit_or_else_from_the_first_retained_record() -> None:
    a, b, c = TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("t", 2)
    end = {a: 10, b: 7, c: 5}
    committed = {a: OffsetAndMetadata(4, ""), c: OffsetAndMetadata(9, "")}
    assert partition_lag(end, committed, {a: 0, b: 2, c: 0}) == {a: 6, b: 5, c: 0}
    assert partition_lag(end, {a: OffsetAndMetadata(-1, "")}, {})[a] == 10


def test_dead_letter_depth_sums_the_records_held_over_partitions() -> None:
    end = {
        TopicPartition("x.dlq", 0): 3,
        TopicPartition("x.dlq", 1): 5,
        TopicPartition("y.dlq", 0): 4,
    }
    beginning = {TopicPartition("x.dlq", 1): 1, TopicPartition("y.dlq", 0): 4}
    assert depth_by_topic(end, beginning) == {"x.dlq": 7, "y.dlq": 0}


class _Outbox:
    """An outbox collection answering the sampler's two queries (or failing)."""

    def __init__(self, pending: list[dict[str, Any]], *, fail: bool = False) -> None:
        self.pending = pending
        self.fail = fail

    async def count_documents(self, query: dict[str, Any]) -> int:
        if self.fail:
            raise ConnectionError("database down")
        return len(self.pending)

    async def find_one(self, query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return self.pending[0] if self.pending else None


def _sampler(outbox: _Outbox) -> PipelineSampler:
    access = KafkaAccess(bootstrap="127.0.0.1:1", security_protocol="PLAINTEXT")
    return PipelineSampler(cast(Any, {"outbox": outbox}), access)


async def test_the_outbox_gauges_show_the_backlog_and_its_oldest_record_age() -> None:
    created = datetime.now(UTC) - timedelta(seconds=30)
    sampler = _sampler(_Outbox([{"created_at": created.replace(tzinfo=None)}, {}, {}]))
    assert await sampler.sample() == 0
    assert sampler.gauges.values("cerchia.outbox.backlog") == [({}, 3)]
    ((_, age),) = sampler.gauges.values("cerchia.outbox.oldest.age")
    assert 29 <= age < 40
    empty = _sampler(_Outbox([]))
    await empty.sample()
    assert empty.gauges.values("cerchia.outbox.oldest.age") == [({}, 0.0)]


async def test_a_failing_sample_keeps_the_last_values_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox = _Outbox([{}])
    sampler = _sampler(outbox)
    await sampler.sample()
    outbox.fail = True
    with caplog.at_level(logging.INFO, logger="cerchia_chassis.pipeline_metrics"):
        for _ in range(3):
            assert await sampler.sample() == 0
        outbox.fail = False
        await sampler.sample()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "database down" in warnings[0].getMessage()
    assert sampler.gauges.values("cerchia.outbox.backlog") == [({}, 1)]
    assert any("works again" in r.getMessage() for r in caplog.records)
