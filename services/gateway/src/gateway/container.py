"""The gateway composition root: upstream clients, rate limiter and API documents, built once."""

from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from cerchia_chassis.rate_limits import RateLimiter
from cerchia_contracts.catalog import CATALOG
from cerchia_contracts.snapshots import live_schemas
from gateway.adapters.upstreams import Upstreams
from gateway.service.asyncapi import asyncapi_document
from gateway.service.openapi import OpenApiCatalog
from gateway.settings import GatewaySettings


@dataclass(frozen=True)
class Container:
    """What the entrypoints hand to the use cases."""

    settings: GatewaySettings
    upstreams: Upstreams
    #: Admission per address and per user (moving windows, in this process).
    limiter: RateLimiter
    openapi: OpenApiCatalog
    asyncapi: dict[str, Any]
    #: Each event type's JSON Schema, as the contracts define it (webhook payloads refer to it).
    event_schemas: dict[str, dict[str, Any]]

    @classmethod
    def build(cls, settings: GatewaySettings, *, own_openapi: dict[str, Any]) -> "Container":
        """Wire the gateway; connections open on first use and close in ``aclose()``."""
        upstreams = Upstreams(settings)
        public_topics = [t for t in CATALOG if not t.internal]
        return cls(
            settings=settings,
            upstreams=upstreams,
            limiter=RateLimiter(),
            openapi=OpenApiCatalog(upstreams, own_openapi, ttl_s=settings.docs_cache_ttl_s),
            asyncapi=asyncapi_document(
                public_topics,
                version=version("cerchia-contracts"),
                kafka_host=settings.asyncapi_kafka_host or settings.kafka_bootstrap_servers,
            ),
            event_schemas=live_schemas(),
        )

    async def aclose(self) -> None:
        """Release the pooled connections."""
        await self.upstreams.aclose()
