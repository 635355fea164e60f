"""The trace backend fixture: a span posted as Zipkin v2 JSON is read back by trace id."""

import secrets
import time

import httpx
import pytest

from cerchia_devstack.trace_backend import TraceBackend

pytestmark = pytest.mark.integration


async def test_a_posted_span_is_read_back_by_trace_id(trace_backend: TraceBackend) -> None:
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    span = {
        "traceId": trace_id,
        "id": span_id,
        "name": "post /v1/registrations",
        "kind": "SERVER",
        "timestamp": int(time.time() * 1_000_000),
        "duration": 1500,
        "localEndpoint": {"serviceName": "devstack-probe"},
        "tags": {"http.status_code": "201"},
    }
    async with httpx.AsyncClient() as client:
        response = await client.post(trace_backend.spans_endpoint, json=[span])
    assert response.status_code == 202

    spans = await trace_backend.wait_for_trace(
        trace_id, lambda spans: any(s["id"] == span_id for s in spans), timeout=10
    )

    assert spans[0]["name"] == "post /v1/registrations"
    assert spans[0]["tags"] == {"http.status_code": "201"}
    assert "devstack-probe" in await trace_backend.services()
    assert await trace_backend.trace(secrets.token_hex(16)) == []
