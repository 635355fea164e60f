"""Forwarding ``/api/v1/...`` to the service the route table names, streaming the answer back."""

import logging
from collections.abc import AsyncIterator, Sequence

import httpx
from fastapi import APIRouter, Request, Response
from starlette.responses import StreamingResponse

from cerchia_chassis.metrics import name_route
from cerchia_chassis.problems import Problem
from gateway.container import Container
from gateway.domain.headers import client_response_headers, upstream_request_headers
from gateway.domain.routes import Upstream, is_safe_path, upstream_for
from gateway.entrypoints.deps import Admitted, Deps, client_ip
from gateway.entrypoints.edge import record
from gateway.service.ports import FailureKind, UpstreamFailure

logger = logging.getLogger(__name__)

router = APIRouter()

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_STATUS = {FailureKind.UNAVAILABLE: 503, FailureKind.TIMEOUT: 504, FailureKind.BAD_GATEWAY: 502}
_RETRY_AFTER_S = "5"


def failure_problem(failure: UpstreamFailure) -> Problem:
    """The problem a client sees when a service gives no usable answer."""
    status = _STATUS[failure.kind]
    return Problem(
        status,
        str(failure.kind),
        f"The {failure.upstream} service: {failure.detail}. Please retry shortly.",
        headers={"Retry-After": _RETRY_AFTER_S} if status == 503 else None,
        upstream=str(failure.upstream),
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing it (413) once it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(413, "payload-too-large", f"The request body exceeds {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Problem(413, "payload-too-large", f"The request body exceeds {limit} bytes.")
    return bytes(body)


async def _relay(upstream: Upstream, response: httpx.Response) -> AsyncIterator[bytes]:
    # Raw bytes as they arrive (no decoding, no buffering): SSE events and calendar files reach
    # the client as the service writes them.
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except httpx.HTTPError as exc:
        # The status line is already sent; ending the body is all that is left to do.
        logger.warning("upstream %s broke off a response: %r", upstream, exc)
    finally:
        await response.aclose()


def wants_stream(request: Request) -> bool:
    """Whether the client asks for an event stream (long silences are then normal)."""
    return "text/event-stream" in request.headers.get("accept", "")


async def forward(
    request: Request,
    deps: Container,
    upstream: Upstream,
    target: str,
    *,
    streaming: bool = False,
    extra_headers: Sequence[tuple[str, str]] = (),
) -> Response:
    """Send the request to ``upstream`` at ``target`` (path and query) and stream the answer."""
    body = await read_body(request, deps.settings.max_body_bytes)
    headers = upstream_request_headers(
        request.headers.items(),
        client_ip=client_ip(request),
        scheme=request.url.scheme,
        host=request.headers.get("host"),
        request_id=record(request).request_id,
    )
    headers.extend(extra_headers)
    record(request).upstream = str(upstream)
    # One catch-all route serves every upstream: its series say which one.
    name_route(request.scope, f"/api/v1/* ({upstream})")
    try:
        response = await deps.upstreams.open(
            upstream,
            request.method,
            target,
            headers=headers,
            body=body,
            streaming=streaming or wants_stream(request),
        )
    except UpstreamFailure as failure:
        raise failure_problem(failure) from failure
    relayed = StreamingResponse(_relay(upstream, response), status_code=response.status_code)
    relayed.raw_headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in client_response_headers(response.headers.multi_items())
    ]
    return relayed


def _target(request: Request) -> str:
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    lowered = raw.lower()
    # Encoded slashes, backslashes and dots could make a service see another path than the
    # one the gateway checked.
    if b"%2f" in lowered or b"%5c" in lowered or b"%2e" in lowered:
        raise Problem(400, "bad-path", "The path contains encoded separators.")
    if not is_safe_path(request.url.path):
        raise Problem(400, "bad-path", "The path contains empty or dot segments.")
    query = request.scope.get("query_string", b"")
    return raw.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


@router.api_route("/api/v1/{path:path}", methods=METHODS, include_in_schema=False)
@router.api_route("/.well-known/jwks.json", methods=["GET", "HEAD"], include_in_schema=False)
async def proxy(request: Request, caller: Admitted, deps: Deps) -> Response:
    """Any public API path: routed by the route table."""
    del caller  # admitted: the access rule, the token and the rate limits were checked
    upstream = upstream_for(request.url.path)
    if upstream is None:
        raise Problem(404, "not-found", "No such API path.")
    return await forward(request, deps, upstream, _target(request))
