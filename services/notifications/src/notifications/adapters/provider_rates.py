"""Per-provider send rates on the chassis's rate limiter, so a flood cannot get a sender blocked."""

from dataclasses import dataclass

from cerchia_chassis.rate_limits import RateLimiter
from notifications.domain.deliveries import ThrottledDelivery


@dataclass(frozen=True)
class ProviderRate:
    """At most ``limit`` sends (``limits`` notation) to each provider of one ``kind`` — an SMTP
    server, a push service or a webhook host — in any moving window.

    Each replica counts on its own (divide the rates by the replicas) unless the limiter has a
    shared store.
    """

    limiter: RateLimiter
    kind: str
    limit: str

    async def take(self, *providers: str) -> None:
        """Count one send to each provider, or none and raise ``ThrottledDelivery`` when one
        of them has no room left (a push to several browsers takes a slot from each host)."""
        decision = await self.limiter.hit_all(self.limit, [(self.kind, p) for p in providers])
        if not decision.allowed:
            where = ", ".join(dict.fromkeys(providers))
            raise ThrottledDelivery(f"{self.kind} {where}", decision.retry_after_s)
