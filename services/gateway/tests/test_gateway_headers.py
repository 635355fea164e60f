"""Which headers cross the gateway in each direction."""

import pytest

from gateway.domain.headers import (
    accepted_request_id,
    client_response_headers,
    upstream_request_headers,
)

pytestmark = pytest.mark.unit


def names(pairs: list[tuple[str, str]]) -> list[str]:
    return [name.lower() for name, _ in pairs]


def test_end_to_end_headers_pass_and_forwarding_headers_are_the_gateways() -> None:
    sent = upstream_request_headers(
        [
            ("Host", "api.cerchia.example"),
            ("Authorization", "Bearer abc"),
            ("Content-Type", "application/json"),
            ("Content-Length", "12"),
            ("Accept", "text/event-stream"),
            ("Last-Event-ID", "n-41"),
            ("X-Forwarded-For", "6.6.6.6"),
            ("X-Request-ID", "spoofed"),
            ("traceparent", "00-11111111111111111111111111111111-2222222222222222-01"),
        ],
        client_ip="203.0.113.9",
        scheme="https",
        host="api.cerchia.example",
        request_id="req-1",
    )
    as_dict = dict(sent)
    assert as_dict["Authorization"] == "Bearer abc"
    assert as_dict["Last-Event-ID"] == "n-41"
    assert as_dict["Accept"] == "text/event-stream"
    assert as_dict["X-Forwarded-For"] == "203.0.113.9"
    assert as_dict["X-Forwarded-Proto"] == "https"
    assert as_dict["X-Forwarded-Host"] == "api.cerchia.example"
    assert as_dict["X-Request-ID"] == "req-1"
    assert names(sent).count("x-request-id") == 1
    assert names(sent).count("x-forwarded-for") == 1
    for dropped in ("host", "content-length", "traceparent"):
        assert dropped not in names(sent)


def test_hop_by_hop_headers_and_those_named_in_connection_are_dropped() -> None:
    sent = upstream_request_headers(
        [
            ("Connection", "keep-alive, X-Secret-Hop"),
            ("Keep-Alive", "timeout=5"),
            ("X-Secret-Hop", "1"),
            ("Upgrade", "h2c"),
            ("TE", "trailers"),
            ("Proxy-Authorization", "Basic x"),
            ("X-Kept", "yes"),
        ],
        client_ip=None,
        scheme="http",
        host=None,
        request_id="r",
    )
    assert names(sent) == ["x-kept", "x-forwarded-proto", "x-request-id"]


def test_responses_keep_their_fields_but_not_the_upstreams_transport_ones() -> None:
    kept = client_response_headers(
        [
            ("Content-Type", "text/event-stream"),
            ("Cache-Control", "no-cache"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("Transfer-Encoding", "chunked"),
            ("Connection", "close"),
            ("Server", "uvicorn"),
            ("Date", "Sat, 21 Nov 2026 10:00:00 GMT"),
            ("X-Trace-Id", "abc"),
        ]
    )
    assert kept == [
        ("Content-Type", "text/event-stream"),
        ("Cache-Control", "no-cache"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("0f9c6c1e-3f5c-4a55-9a43-6d1d1c0e8b2a", True),
        ("client:req.42_x", True),
        ("", False),
        ("a" * 129, False),
        ("bad id", False),
        ("inject\r\nX-Evil: 1", False),
        (None, False),
    ],
)
def test_only_sane_client_request_ids_are_kept(value: str | None, accepted: bool) -> None:
    assert accepted_request_id(value) == (value if accepted else None)
