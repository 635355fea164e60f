"""Which headers cross the gateway, in each direction, and the ones it adds."""

import re
from collections.abc import Iterable, Mapping

# RFC 9110 §7.6.1 hop-by-hop fields, plus those the HTTP client or server sets itself.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_REQUEST_DROPPED = HOP_BY_HOP | {
    "host",
    "content-length",
    # The gateway's own span becomes the parent of the upstream's; the client's context was
    # already taken in by the gateway's server span.
    "traceparent",
    "tracestate",
    # Rebuilt below from what the gateway saw.
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "forwarded",
    "x-request-id",
}
_RESPONSE_DROPPED = HOP_BY_HOP | {"date", "server", "x-trace-id"}

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

API_SECURITY_HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# The documentation pages load their own scripts and styles from the gateway, nothing else;
# Swagger UI and the AsyncAPI viewer set inline styles.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _connection_tokens(headers: Iterable[tuple[str, str]]) -> set[str]:
    # Fields named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    return {
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
    }


def upstream_request_headers(
    incoming: Iterable[tuple[str, str]],
    *,
    client_ip: str | None,
    scheme: str,
    host: str | None,
    request_id: str,
) -> list[tuple[str, str]]:
    """The headers sent upstream: the client's end-to-end fields (``Authorization`` too, since
    services verify tokens themselves) plus ``X-Forwarded-*`` and ``X-Request-ID``.

    ``client_ip`` is the address the server resolved (trusted proxies already applied), so a
    chain the client wrote itself is not passed on.
    """
    pairs = list(incoming)
    dropped = _REQUEST_DROPPED | _connection_tokens(pairs)
    out = [(k, v) for k, v in pairs if k.lower() not in dropped]
    if client_ip:
        out.append(("X-Forwarded-For", client_ip))
    out.append(("X-Forwarded-Proto", scheme))
    if host:
        out.append(("X-Forwarded-Host", host))
    out.append((REQUEST_ID_HEADER, request_id))
    return out


def client_response_headers(upstream: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The upstream response's end-to-end fields, for the client."""
    pairs = list(upstream)
    dropped = _RESPONSE_DROPPED | _connection_tokens(pairs)
    return [(k, v) for k, v in pairs if k.lower() not in dropped]


def accepted_request_id(value: str | None) -> str | None:
    """The client's request id if it is a sane token (it ends up in logs and headers)."""
    if value is not None and _REQUEST_ID.fullmatch(value):
        return value
    return None
