"""HTTP load from one client process: the same generator for the control and every endpoint."""

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx

from cerchia_bench.harness import Measurement, percentile
from cerchia_devstack.ports import free_port

REQUESTS = 3_000
CONCURRENCY = 32


async def load(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    json_body: object | None = None,
    requests: int = REQUESTS,
    concurrency: int = CONCURRENCY,
    rotate: Sequence[tuple[str, dict[str, str]]] = (),
) -> Measurement:
    """Fire ``requests`` requests with ``concurrency`` in flight; rate and latency figures.

    With ``rotate``, request ``i`` goes to ``rotate[i % len(rotate)]`` (URL, headers) instead,
    so writes spread over many users and communities as real traffic does.
    """
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                i = queue.get_nowait()
                target, sent_headers = rotate[i % len(rotate)] if rotate else (url, headers)
                t0 = time.perf_counter()
                response = await client.request(
                    method, target, headers=sent_headers, json=json_body
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status_code >= 400:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Measurement(
        {
            "requests_per_s": requests / elapsed,
            "p50_ms": percentile(latencies, 0.5),
            "p99_ms": percentile(latencies, 0.99),
            "errors": float(failures),
        },
        latencies,
    )


@asynccontextmanager
async def hello_server() -> AsyncIterator[str]:
    """The bare ASGI app under uvicorn in its own process; yields its URL."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "cerchia_bench.hello:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    await client.get(url)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        yield url
    finally:
        process.terminate()
        await process.wait()
