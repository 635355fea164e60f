"""``bench``: run the benchmarks on the local stack and write JSON, Markdown and a PNG chart."""

import argparse
import asyncio
import contextlib
import os
import signal
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from aiokafka import AIOKafkaProducer

from cerchia_bench.harness import Measurement, Scenario, run_interleaved
from cerchia_bench.platform import Platform, Servers
from cerchia_bench.report import Target, write_reports
from cerchia_bench.scenarios import fanout, http, kafka, mongo, web
from cerchia_bench.scenarios.gateway import SOLO, GatewayBench
from cerchia_bench.seeding import producer_for
from cerchia_bench.sinks import PushProvider, SmtpProvider
from cerchia_chassis.tokens import SigningKey
from cerchia_devstack.kafka import KafkaBroker, KafkaCluster, KafkaSettings
from cerchia_devstack.paths import cache_dir, kafka_pom, repo_root
from cerchia_devstack.ports import LOCALHOST, free_ports, pid_listening_on
from cerchia_devstack.provision import TestInfrastructure
from cerchia_devstack.readiness import run_blocking


@dataclass(frozen=True)
class Config:
    """What to run and how big; the defaults are the committed baseline's."""

    reps: int = 5
    only: tuple[str, ...] = ()
    sizes: tuple[int, int, int] = (10, 100, 1_000)
    sustained_threads: int = 10
    #: Communities in the small and in the large world of the scale scenario.
    small_world: int = 10
    large_world: int = 10_000
    messages: int = 20_000
    single_inserts: int = 2_000
    bulk_inserts: int = 20_000
    requests: int = 3_000
    post_requests: int = 1_000
    writers: int = 32
    #: Requests per web page (and per gateway read) timing run, one after another.
    page_requests: int = 200
    #: Replies in the thread the web client's thread page shows.
    web_replies: int = 100
    lighthouse: bool = True
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cerchia-bench-")))

    def wants(self, name: str) -> bool:
        """Whether scenario ``name`` is selected, by its name or its group (the part before the
        first underscore: ``web`` selects every ``web_*`` scenario)."""
        return not self.only or name in self.only or name.split("_", 1)[0] in self.only


def private_kafka(root: Path) -> KafkaBroker:
    """A broker of the bench's own, secured like every other, with the catalog's topics."""
    port, controller_port = free_ports(2)
    broker = KafkaBroker(
        root=root,
        cache=cache_dir(),
        pom=kafka_pom(repo_root()),
        settings=KafkaSettings(LOCALHOST, port, controller_port),
    )
    broker.install()
    broker.start(owned=True)
    try:
        run_blocking(broker.wait_ready)
        run_blocking(broker.secure)
    except BaseException:
        broker.stop(5.0)
        raise
    return broker


def targets(config: Config) -> list[Target]:
    """The issue's targets, named after this run's scenarios."""
    small, medium, large = (f"fanout_{size}" for size in config.sizes)
    per_1k = "cpu_s_per_1k_deliveries"
    return [
        Target(
            "consumer efficiency: FastStream decode ÷ raw aiokafka consume",
            ("faststream_decode", "consume_msgs_per_s"),
            ("raw_kafka", "consume_msgs_per_s"),
            at_least=0.5,
        ),
        Target(
            "consumer efficiency, batch subscriber ÷ raw aiokafka consume",
            ("faststream_batch_decode", "consume_msgs_per_s"),
            ("raw_kafka", "consume_msgs_per_s"),
            at_least=0.5,
        ),
        Target(
            f"fan-out deliveries/s, {config.sizes[2]:,} members",
            (large, "deliveries_per_s"),
            at_least=1_000,
        ),
        Target(
            "fan-out deliveries/s sustained (the doubled run)",
            ("sustained_x2", "deliveries_per_s"),
            at_least=1_000,
        ),
        Target(f"fan-out p50 ms, {config.sizes[1]} members", (medium, "p50_ms"), at_most=250),
        Target(f"fan-out p99 ms, {config.sizes[1]} members", (medium, "p99_ms"), at_most=1_000),
        Target(
            "gateway read ÷ direct read (requests/s)",
            ("gateway_read_via", "requests_per_s"),
            ("gateway_read_direct", "requests_per_s"),
            at_least=0.6,
        ),
        Target(
            "POST thread through the gateway, requests/s",
            ("gateway_post", "requests_per_s"),
            at_least=300,
        ),
        Target(
            f"CPU-s per 1k deliveries, {config.sizes[2]:,} ÷ {config.sizes[0]} members",
            (large, per_1k),
            (small, per_1k),
            at_most=1.2,
        ),
        Target(
            f"CPU-s per 1k deliveries, {config.large_world:,} ÷ {config.small_world} communities",
            ("scale_communities", per_1k),
            (medium, per_1k),
            at_most=1.2,
        ),
        *web_targets(),
        Target(
            "deliveries/s, doubled run ÷ single run",
            ("sustained_x2", "deliveries_per_s"),
            ("sustained_x1", "deliveries_per_s"),
            at_least=0.9,
            at_most=1.1,
        ),
    ]


def web_targets() -> list[Target]:
    """The web client's: pages against their API reads, page weight, Lighthouse's scores."""
    found = [
        Target(
            f"web {name} page ÷ the gateway read it is built on (full time, p50)",
            (f"web_{name}_page", "full_p50_ms"),
            (f"web_{name}_api", "full_p50_ms"),
            at_most=2.0,
        )
        for name in ("thread", "community")
    ]
    found += [
        Target(f"web {name} page JS, KB gzipped", ("web_page_weight", f"{name}_js_kb"), at_most=30)
        for name in web.PAGES
    ]
    for name in web.PAGES:
        found += [
            Target(
                f"Lighthouse accessibility, {name} page",
                ("web_lighthouse", f"{name}_accessibility"),
                at_least=100,
            ),
            Target(
                f"Lighthouse performance, {name} page",
                ("web_lighthouse", f"{name}_performance"),
                at_least=95,
            ),
        ]
    return found


Run = Callable[[], Awaitable[Measurement]]

PLATFORM_SCENARIOS = (
    "sustained_x1",
    "sustained_x2",
    "gateway_read_direct",
    "gateway_read_via",
    "gateway_post",
    "scale_communities",
)

WEB_SCENARIOS = (
    "web_community_page",
    "web_community_api",
    "web_thread_page",
    "web_thread_api",
    "web_page_weight",
    "web_lighthouse",
)


@dataclass
class _Run:
    """What one bench run shares: servers, providers, and the scenarios chosen so far."""

    config: Config
    servers: Servers
    producer: AIOKafkaProducer
    smtp: SmtpProvider
    push: PushProvider
    stack: contextlib.AsyncExitStack
    key: SigningKey = field(default_factory=SigningKey.generate)
    scenarios: list[Scenario] = field(default_factory=list)

    def add(self, name: str, description: str, run: Run) -> None:
        if self.config.wants(name):
            self.scenarios.append(Scenario(name, description, run))

    async def platform(
        self, names: list[str], *, own_kafka: bool = False
    ) -> tuple[Platform, AIOKafkaProducer]:
        """Services started on the run's servers (or on a broker of their own), and a producer
        on the same broker."""
        servers, producer = self.servers, self.producer
        if own_kafka:
            # Consumer groups of a shared broker each read every topic: a world with its own
            # projections needs its own broker (each in its own folder: two may run).
            folder = self.config.workdir / f"kafka-{uuid.uuid4().hex[:8]}"
            broker = await asyncio.to_thread(private_kafka, folder)
            self.stack.callback(broker.stop, 10.0)
            servers = replace(servers, kafka=broker.secrets.cluster())
            producer = producer_for(servers.kafka.admin)
            await producer.start()
            self.stack.push_async_callback(producer.stop)
        platform = Platform(servers, self.key)
        self.stack.push_async_callback(platform.close)
        await platform.start(names, self.config.workdir)
        return platform, producer

    async def world(
        self, names: list[str], filler: int, *, own_kafka: bool = False
    ) -> fanout.FanoutWorld:
        platform, producer = await self.platform(names, own_kafka=own_kafka)
        db_pid = pid_listening_on(urlparse(self.servers.mongo_uri).port or 27017)
        return fanout.FanoutWorld(
            platform, producer, self.smtp, self.push, db_pid=db_pid, filler=filler
        )


def _controls(run: _Run, hello_url: str) -> None:
    config, admin, mongo_uri = run.config, run.servers.kafka.admin, run.servers.mongo_uri
    run.add(
        "raw_kafka",
        "control: aiokafka idempotent produce then raw consume",
        partial(kafka.raw_produce_consume, admin, count=config.messages),
    )
    run.add(
        "faststream_decode",
        "FastStream subscriber decoding the contract, no I/O",
        partial(kafka.faststream_decode, admin, count=config.messages),
    )
    run.add(
        "faststream_batch_decode",
        "FastStream batch subscriber decoding the contract, no I/O",
        partial(kafka.faststream_batch_decode, admin, count=config.messages),
    )
    run.add(
        "raw_mongo",
        "control: AsyncMongoClient inserts",
        partial(mongo.inserts, mongo_uri, single=config.single_inserts, bulk=config.bulk_inserts),
    )
    run.add(
        "asgi_hello",
        "control: bare ASGI app under uvicorn",
        partial(http.load, hello_url, requests=config.requests),
    )


async def _fanout_and_gateway(run: _Run, world: fanout.FanoutWorld) -> None:
    config = run.config
    medium = config.sizes[1]
    for size in (SOLO, *config.sizes):
        await world.community(size)
    for size in config.sizes:
        run.add(
            f"fanout_{size}",
            f"one thread → in-app + email + push to a community of {size:,}",
            partial(fanout.fanout, world, size=size),
        )
    for name, threads in (
        ("sustained_x1", config.sustained_threads),
        ("sustained_x2", 2 * config.sustained_threads),
    ):
        run.add(
            name,
            f"{threads} threads back to back in a community of {medium}",
            partial(fanout.fanout, world, size=medium, threads=threads),
        )
    gateway = GatewayBench(world, writer_count=config.writers)
    await gateway.target()
    await gateway.writers()
    run.add(
        "gateway_read_direct",
        "GET a thread straight from content",
        partial(gateway.read, via="content", requests=config.requests),
    )
    run.add(
        "gateway_read_via",
        "GET the same thread through the gateway",
        partial(gateway.read, via="gateway", requests=config.requests),
    )
    run.add(
        "gateway_post",
        f"POST threads through the gateway: {config.writers} authors, each alone in a community",
        partial(gateway.post, requests=config.post_requests),
    )


async def _web(run: _Run, shares_kafka: bool) -> None:
    """The web client's platform (its own broker when other platforms run: its content would
    otherwise project their events too), seeded, and its scenarios."""
    config = run.config
    platform, _ = await run.platform(
        # Notifications too: every signed-in page opens its live stream of notifications.
        ["membership", "content", "events", "notifications", "gateway", "web"],
        own_kafka=shares_kafka,
    )
    world = await web.seed_web(platform, replies=config.web_replies)
    for name in ("community", "thread"):
        built_on = "the community" if name == "community" else f"{config.web_replies} replies"
        run.add(
            f"web_{name}_page",
            f"the web client's {name} page, signed in, one request at a time",
            partial(web.page, world, name, requests=config.page_requests),
        )
        run.add(
            f"web_{name}_api",
            f"the gateway read the {name} page is built on ({built_on})",
            partial(web.api_read, world, name, requests=config.page_requests),
        )
    run.add(
        "web_page_weight",
        "discover, community, thread, event and moderation pages: HTML, CSS, JS gzipped (KB)",
        partial(web.page_weight, world),
    )
    if config.lighthouse:
        run.add(
            "web_lighthouse",
            "Lighthouse scores of the five pages (first round only)",
            partial(web.lighthouse_pages, world),
        )


async def _large_world(run: _Run, world: fanout.FanoutWorld) -> None:
    config = run.config
    medium = config.sizes[1]
    run.add(
        "scale_communities",
        f"one thread → a community of {medium} among {config.large_world:,} communities",
        partial(fanout.fanout, world, size=medium),
    )


async def _worlds(run: _Run, platform_names: tuple[str, ...]) -> None:
    """Start the platforms side by side, seed them side by side, then add their scenarios."""
    config = run.config
    wants_main = any(config.wants(name) for name in platform_names if name != "scale_communities")
    wants_large = config.wants("scale_communities")
    wants_web = any(config.wants(name) for name in WEB_SCENARIOS)
    main_filler = max(0, config.small_world - len(config.sizes) - 1)
    starting = []
    if wants_main:
        starting.append(run.world(["content", "notifications", "gateway"], filler=main_filler))
    if wants_large:
        starting.append(
            run.world(["content", "notifications"], filler=config.large_world - 1, own_kafka=True)
        )
    web_world = _web(run, shares_kafka=wants_main or wants_large) if wants_web else None
    worlds = list(await asyncio.gather(*starting))
    main = worlds.pop(0) if wants_main else None
    large = worlds.pop(0) if wants_large else None
    seeding: list[Awaitable[object]] = []
    if main is not None:
        seeding.append(_fanout_and_gateway(run, main))
    if large is not None:
        seeding.append(large.community(config.sizes[1]))
    if web_world is not None:
        seeding.append(web_world)
    await asyncio.gather(*seeding)
    if large is not None:
        await _large_world(run, large)


async def run_bench(
    config: Config, *, kafka_cluster: KafkaCluster, mongo_uri: str, out: Path
) -> dict[str, Any]:
    """Start the platform, run the chosen scenarios in interleaved rounds, write the reports."""
    platform_names = (*(f"fanout_{size}" for size in config.sizes), *PLATFORM_SCENARIOS)
    load_before = os.getloadavg()
    async with contextlib.AsyncExitStack() as stack:
        smtp = SmtpProvider().start()
        stack.callback(smtp.stop)
        push = await PushProvider().start()
        stack.push_async_callback(push.stop)
        producer = producer_for(kafka_cluster.admin)
        await producer.start()
        stack.push_async_callback(producer.stop)
        servers = Servers(kafka_cluster, mongo_uri, smtp.host, smtp.port)
        run = _Run(config, servers, producer, smtp, push, stack)
        _controls(run, await stack.enter_async_context(http.hello_server()))
        await _worlds(run, platform_names)
        print(f"bench: {len(run.scenarios)} scenarios x {config.reps} interleaved rounds")
        results = await run_interleaved(run.scenarios, config.reps)
    load_after = os.getloadavg()
    notes = {
        "repetitions": config.reps,
        "community sizes": ", ".join(f"{size:,}" for size in config.sizes),
        "sustained threads": f"{config.sustained_threads} and {2 * config.sustained_threads}",
        "worlds": f"{config.small_world:,} and {config.large_world:,} communities",
        "web": f"{config.page_requests} requests per page run, {config.web_replies} replies",
        "load average before": " ".join(f"{x:.2f}" for x in load_before),
        "load average after": " ".join(f"{x:.2f}" for x in load_after),
    }
    document = write_reports(results, targets(config), out, notes)
    print((out / "results.md").read_text(encoding="utf-8"))
    print(f"written: {out}/results.json, results.md, results.png")
    return document


async def _main(args: argparse.Namespace) -> None:
    config = Config(
        reps=args.reps,
        only=tuple(args.only or ()),
        sizes=(args.sizes[0], args.sizes[1], args.sizes[2]),
        sustained_threads=args.sustained,
        large_world=args.communities,
        requests=args.requests,
        post_requests=args.post_requests,
        page_requests=args.page_requests,
        web_replies=args.replies,
        lighthouse=not args.no_lighthouse,
    )
    if os.getloadavg()[0] >= 2:
        print(f"bench: warning, the machine is busy (load average {os.getloadavg()[0]:.2f})")
    infrastructure = TestInfrastructure(config.workdir)
    try:
        await run_bench(
            config,
            kafka_cluster=infrastructure.kafka(),
            mongo_uri=infrastructure.mongo_uri(),
            out=args.out,
        )
    finally:
        infrastructure.close()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Cerchia benchmarks")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions (≥5)")
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument(
        "--sizes", type=int, nargs=3, default=[10, 100, 1_000], help="three community sizes"
    )
    parser.add_argument("--sustained", type=int, default=10, help="threads of the short run")
    parser.add_argument(
        "--communities", type=int, default=10_000, help="communities in the large world"
    )
    parser.add_argument("--requests", type=int, default=3_000, help="requests per HTTP read run")
    parser.add_argument(
        "--post-requests", type=int, default=1_000, help="requests per gateway POST run"
    )
    parser.add_argument(
        "--page-requests", type=int, default=200, help="requests per web page timing run"
    )
    parser.add_argument(
        "--replies", type=int, default=100, help="replies in the web client's thread page"
    )
    parser.add_argument("--no-lighthouse", action="store_true", help="skip Lighthouse")
    arguments = parser.parse_args()

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # unwinds like Ctrl-C, so every process started is stopped

    signal.signal(signal.SIGTERM, interrupt)
    asyncio.run(_main(arguments))
