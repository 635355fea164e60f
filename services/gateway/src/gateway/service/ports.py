"""What the gateway's use cases need from the outside world."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from gateway.domain.routes import Upstream


class FailureKind(StrEnum):
    """How an upstream failed; each maps to one gateway status."""

    UNAVAILABLE = "upstream-unavailable"  # 503: refused, unreachable, no free connection
    TIMEOUT = "upstream-timeout"  # 504: too slow
    BAD_GATEWAY = "bad-gateway"  # 502: broken or cut-off response


class UpstreamFailure(Exception):
    """An upstream could not give an HTTP response."""

    def __init__(self, upstream: Upstream, kind: FailureKind, detail: str) -> None:
        super().__init__(f"{upstream}: {detail}")
        self.upstream = upstream
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class JsonReply:
    """An upstream's answer: its status and its JSON body (None when not JSON)."""

    status: int
    body: Any


class UpstreamReader(Protocol):
    """Reads JSON from an upstream."""

    async def get_json(
        self, upstream: Upstream, path: str, *, headers: Mapping[str, str], budget_s: float
    ) -> JsonReply:
        """GET ``path``; raise UpstreamFailure when no response comes."""
        ...


class SpecSource(Protocol):
    """Where the services' OpenAPI documents come from."""

    async def openapi(self, upstream: Upstream) -> dict[str, Any] | None:
        """The upstream's OpenAPI document, or None when it cannot be had now."""
        ...
