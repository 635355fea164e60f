"""MongoDB control: raw AsyncMongoClient single and bulk insert rates."""

import time
import uuid
from typing import Any

from pymongo import AsyncMongoClient

from cerchia_bench.harness import Measurement, percentile

SINGLE = 2_000
BULK = 20_000
BATCH = 1_000


async def inserts(mongo_uri: str, *, single: int = SINGLE, bulk: int = BULK) -> Measurement:
    """Awaited one-by-one inserts (with latency samples), then ``insert_many`` batches."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    database = f"bench_{uuid.uuid4().hex[:8]}"
    collection = client[database]["docs"]
    try:
        latencies: list[float] = []
        started = time.perf_counter()
        for i in range(single):
            t0 = time.perf_counter()
            await collection.insert_one({"i": i, "body": "x" * 200})
            latencies.append((time.perf_counter() - t0) * 1000)
        single_rate = single / (time.perf_counter() - started)
        started = time.perf_counter()
        for offset in range(0, bulk, BATCH):
            await collection.insert_many(
                [{"i": offset + j, "body": "x" * 200} for j in range(min(BATCH, bulk - offset))],
                ordered=False,
            )
        bulk_rate = bulk / (time.perf_counter() - started)
        return Measurement(
            {
                "single_inserts_per_s": single_rate,
                "bulk_inserts_per_s": bulk_rate,
                "single_p50_ms": percentile(latencies, 0.5),
                "single_p99_ms": percentile(latencies, 0.99),
            },
            latencies,
        )
    finally:
        await client.drop_database(database)
        await client.close()
