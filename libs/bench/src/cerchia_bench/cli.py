"""``bench``: run the benchmarks on the local stack and write JSON, Markdown and a PNG chart."""

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from cerchia_bench.harness import Scenario, run_interleaved
from cerchia_bench.report import Ratio, write_reports
from cerchia_bench.scenarios import http, kafka, mongo
from cerchia_devstack.provision import TestInfrastructure

RATIOS = [
    Ratio(
        "consumer efficiency: FastStream decode ÷ raw aiokafka consume",
        ("faststream_decode", "consume_msgs_per_s"),
        ("raw_kafka", "consume_msgs_per_s"),
        target=0.5,
    ),
    Ratio(
        "consumer efficiency, batch subscriber: FastStream decode ÷ raw aiokafka consume",
        ("faststream_batch_decode", "consume_msgs_per_s"),
        ("raw_kafka", "consume_msgs_per_s"),
        target=0.5,
    ),
]


def scenarios(bootstrap: str, mongo_uri: str, hello_url: str) -> list[Scenario]:
    """Every scenario, wired to the servers of this run."""
    return [
        Scenario(
            "raw_kafka",
            "control: aiokafka idempotent produce then raw consume",
            lambda: kafka.raw_produce_consume(bootstrap),
        ),
        Scenario(
            "faststream_decode",
            "FastStream subscriber decoding the contract, no I/O",
            lambda: kafka.faststream_decode(bootstrap),
        ),
        Scenario(
            "raw_mongo", "control: AsyncMongoClient inserts", lambda: mongo.inserts(mongo_uri)
        ),
        Scenario(
            "asgi_hello", "control: bare ASGI app under uvicorn", lambda: http.load(hello_url)
        ),
    ]


async def _main(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="cerchia-bench-"))
    infrastructure = TestInfrastructure(workdir)
    try:
        bootstrap = os.environ.get("CERCHIA_KAFKA_BOOTSTRAP") or infrastructure.kafka_bootstrap()
        mongo_uri = os.environ.get("CERCHIA_MONGO_URI") or infrastructure.mongo_uri()
        async with http.hello_server() as hello_url:
            chosen = [
                s
                for s in scenarios(bootstrap, mongo_uri, hello_url)
                if not args.only or s.name in args.only
            ]
            print(f"bench: {len(chosen)} scenarios x {args.reps} interleaved rounds")
            results = await run_interleaved(chosen, args.reps)
        write_reports(results, RATIOS, args.out)
        print((args.out / "results.md").read_text(encoding="utf-8"))
        print(f"written: {args.out}/results.json, results.md, results.png")
    finally:
        infrastructure.close()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Cerchia benchmarks")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions (≥5)")
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    asyncio.run(_main(parser.parse_args()))
