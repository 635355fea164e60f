"""The gateway: one read endpoint through it and direct, and posting threads through it."""

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass

import httpx

from cerchia_bench.harness import Measurement
from cerchia_bench.scenarios import http
from cerchia_bench.scenarios.fanout import FanoutWorld
from cerchia_bench.seeding import Community, seed_community

#: A community of one: threads posted there notify nobody, so the figure is the HTTP path.
SOLO = 1


@dataclass
class GatewayTarget:
    """A thread to read, and the community where threads are posted."""

    community: Community
    thread_id: str


@dataclass
class GatewayBench:
    """The gateway scenarios of one world; the thread they read is created once."""

    world: FanoutWorld
    #: Posts spread over this many authors, each in their own community: one community's
    #: writes are serialized by its outbox sequence, and real traffic is spread too.
    writer_count: int = 32
    _target: GatewayTarget | None = None
    _writers: list[Community] | None = None

    async def target(self) -> GatewayTarget:
        """The single-member community and one thread in it."""
        if self._target is None:
            platform = self.world.platform
            community = await self.world.community(SOLO)
            async with httpx.AsyncClient(base_url=platform.url("content"), timeout=30) as client:
                response = await client.post(
                    f"/api/v1/communities/{community.id}/threads",
                    json={"title": "Read me", "body": "A thread every request reads."},
                    headers=platform.headers(community.owner),
                )
                response.raise_for_status()
            self._target = GatewayTarget(community, response.json()["id"])
        return self._target

    async def writers(self) -> list[Community]:
        """Single-member communities, one per concurrent author."""
        if self._writers is None:
            world = self.world
            self._writers = list(
                await asyncio.gather(
                    *(
                        seed_community(world.platform, world.producer, world.push, size=SOLO)
                        for _ in range(self.writer_count)
                    )
                )
            )
        return self._writers

    async def read(self, *, via: str, requests: int) -> Measurement:
        """``GET /api/v1/threads/{id}`` through ``via`` ("gateway" or "content")."""
        chosen = await self.target()
        platform = self.world.platform
        return await self._measured(
            http.load(
                f"{platform.url(via)}/api/v1/threads/{chosen.thread_id}",
                headers=platform.headers(chosen.community.owner),
                requests=requests,
            ),
            requests,
        )

    async def post(self, *, requests: int) -> Measurement:
        """``POST /api/v1/communities/{id}/threads`` through the gateway, many authors."""
        platform = self.world.platform
        base = platform.url("gateway")
        rotate = [
            (f"{base}/api/v1/communities/{c.id}/threads", platform.headers(c.owner))
            for c in await self.writers()
        ]
        return await self._measured(
            http.load(
                base,
                method="POST",
                json_body={"title": "Posted through the gateway", "body": "Hello, community."},
                requests=requests,
                rotate=rotate,
            ),
            requests,
        )

    async def _measured(self, load: Awaitable[Measurement], requests: int) -> Measurement:
        """The load's figures plus each process's CPU milliseconds per request."""
        platform = self.world.platform
        names = ("gateway", "content")
        before = {name: platform.cpu_seconds([name]) for name in names}
        measured = await load
        figures = dict(measured.figures)
        for name in names:
            used = platform.cpu_seconds([name]) - before[name]
            figures[f"{name}_cpu_ms_per_request"] = used / requests * 1000
        return Measurement(figures, measured.latencies_ms)
