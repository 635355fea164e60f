"""``cerchia-stack``: run the whole platform locally as processes (up, down, status, logs)."""

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from cerchia_devstack import dashboards, kafka_tools, logs, pipeline_view
from cerchia_devstack.paths import cache_dir, repo_root, state_dir
from cerchia_devstack.service_process import ServiceProcess
from cerchia_devstack.services import SERVICES, WEB_CLIENT_ORIGIN
from cerchia_devstack.stack import Stack, StackConfig

_PORT_FLAGS = {
    "kafka_port": "Kafka client port (default 9092)",
    "kafka_controller_port": "Kafka controller port (default 9093)",
    "mongo_port": "SecantusDB port (default 27017)",
    "smtp_port": "MailDev SMTP port (default 1025)",
    "mail_ui_port": "MailDev web UI port (default 1080)",
    "zipkin_port": "Zipkin port (default 9411)",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cerchia-stack",
        description="Cerchia's local platform without Docker: Kafka, SecantusDB (MongoDB), "
        "MailDev, Zipkin and the services, as processes. State lives in <repo>/.stack.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="install what is missing and start everything")
    up.add_argument("-d", "--detach", action="store_true", help="leave it running and return")
    up.add_argument("--infra-only", action="store_true", help="start no service")
    for flag, text in _PORT_FLAGS.items():
        up.add_argument("--" + flag.replace("_", "-"), type=int, metavar="PORT", help=text)
    commands.add_parser("install", help="only download what is missing into the cache")
    down = commands.add_parser("down", help="stop everything the stack started")
    down.add_argument("--purge", action="store_true", help="also delete data, logs and settings")
    commands.add_parser("status", help="what runs and whether it answers")
    log = commands.add_parser("logs", help="show logs (all, or one component/service)")
    log.add_argument("name", nargs="?", help="e.g. kafka, mongodb, maildev, zipkin, membership")
    log.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    log.add_argument("-n", "--lines", type=int, default=100, help="lines of history (100)")
    kafka = commands.add_parser(
        "kafka",
        help="run one of Kafka's tools against the stack as its operator",
        description="Kafka's tools with --bootstrap-server and the operators' client "
        "configuration filled in. Tools: "
        + "; ".join(f"{name} ({tool.help})" for name, tool in kafka_tools.TOOLS.items()),
    )
    kafka.add_argument("tool", choices=sorted(kafka_tools.TOOLS))
    kafka.add_argument("args", nargs=argparse.REMAINDER, help="the tool's own arguments")
    dashboards = commands.add_parser(
        "dashboards",
        help="record the running services' metrics, then draw the Grafana dashboards as PNGs",
    )
    dashboards.add_argument("--minutes", type=float, default=3.0, help="how long to record")
    dashboards.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    dlq = commands.add_parser(
        "dlq",
        help="list, peek and replay dead letters as the stack's operator",
        description="python -m cerchia_chassis.dlq with CERCHIA_KAFKA_CONFIG set to the "
        "operators' client configuration of the local stack (unless already set).",
    )
    dlq.add_argument("args", nargs=argparse.REMAINDER, help="list | peek | replay ... (--help)")
    return parser


def _stack(args: argparse.Namespace, *, save: bool = False) -> Stack:
    repo = repo_root()
    root = state_dir(repo)
    config_path = root / "config.json"
    overrides = {flag: getattr(args, flag, None) for flag in _PORT_FLAGS}
    config = StackConfig.load(config_path).with_overrides(**overrides)
    if save:
        config.save(config_path)
    return Stack(config, root=root, cache=cache_dir(), repo=repo)


def render_table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns, two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _summary(stack: Stack, services: list[ServiceProcess]) -> str:
    config = stack.config
    rows = [
        ("component", "where"),
        ("web client", f"open {WEB_CLIENT_ORIGIN}"),
        ("Kafka", f"bootstrap {stack.kafka.settings.bootstrap}  (SASL_SSL, SCRAM-SHA-512)"),
        ("  operators", f"client config {stack.kafka.secrets.write_client_configs()}"),
        ("  integrators", f"client config {stack.local_integrator().properties}"),
        ("MongoDB", f"{stack.mongo.uri}  (SecantusDB)"),
        ("MailDev", f"UI {stack.maildev.web_url}  SMTP {config.host}:{config.smtp_port}"),
        ("Zipkin", f"UI {stack.zipkin.api_url}/zipkin/"),
    ]
    rows += [(s.name, f"API {s.url}  docs {s.url}/docs") for s in services if s.name != "web"]
    return render_table(rows)


async def _up(stack: Stack, *, detach: bool, infra_only: bool) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    main = asyncio.current_task()
    starting = True

    def request_stop() -> None:
        stop.set()
        if starting and main is not None:
            main.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, request_stop)
    began = time.monotonic()
    started: list[str] = []
    print(f"Cerchia web: open {WEB_CLIENT_ORIGIN}\n", flush=True)
    try:
        print("Installing (cached after the first run) ...", flush=True)
        await stack.install()
        print("Starting infrastructure ...", flush=True)
        await stack.start_infrastructure(started)
        await stack.create_topics()
        services = [] if infra_only else await stack.start_services(started)
    except asyncio.CancelledError:
        print("\nInterrupted: stopping what this run started ...", flush=True)
        stack.stop(started)
        return 130
    except Exception as error:
        print(f"\nerror: {error}", file=sys.stderr, flush=True)
        if started:
            print("Stopping what this run started ...", flush=True)
            stack.stop(started)
        return 1
    starting = False
    print(f"\nCerchia is up ({time.monotonic() - began:.1f}s).\n\n{_summary(stack, services)}\n")
    if detach:
        print("Running in the background: `cerchia-stack status`, `logs -f`, `down`.")
        return 0
    print("Press Ctrl-C to stop. Logs: `cerchia-stack logs -f` in another terminal.", flush=True)
    await _watch(stack, services, stop)
    print("\nShutting down ...", flush=True)
    stack.stop(started)
    others = [name for name, record in stack.records().items() if record.is_live()]
    if others:
        print(f"Left running (started by an earlier `up`): {', '.join(others)}.")
        print("`cerchia-stack down` stops them.")
    return 0


async def _watch(stack: Stack, services: list[ServiceProcess], stop: asyncio.Event) -> None:
    """Wait for Ctrl-C/SIGTERM, reporting any server that exits in the meantime."""
    reported: set[str] = set()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=2.0)
        watched = [(c.name, c.running, c.log_path) for c in stack.components]
        watched += [(s.name, s.running, s.log_path) for s in services]
        for name, running, log_path in watched:
            if name not in reported and not running():
                reported.add(name)
                print(f"warning: {name} exited; see {log_path}", file=sys.stderr, flush=True)


_SERVICE_NAMES = {spec.name for spec in SERVICES}


def _status(stack: Stack) -> int:
    rows = asyncio.run(stack.health())
    table = [("name", "state", "pid", "where")]
    table += [(r.name, r.state, str(r.pid or "-"), r.where) for r in rows]
    print(render_table(table))
    services = {r.name: r.where for r in rows if r.name in _SERVICE_NAMES and r.state == "healthy"}
    if services:
        print()
        print(render_table(pipeline_view.table(asyncio.run(pipeline_view.read_rows(services)))))
    fine = {"ready", "healthy", "not in this checkout"}
    return 0 if all(row.state in fine for row in rows) else 1


def _dashboards(stack: Stack, minutes: float, out: Path) -> int:
    rows = asyncio.run(stack.health())
    services = {r.name: r.where for r in rows if r.name in _SERVICE_NAMES and r.state == "healthy"}
    if not services:
        print("no service answers: start the platform first (./dev up)", file=sys.stderr)
        return 1
    drawn = dashboards.record_and_draw(
        services, stack.repo / "deploy" / "observability" / "grafana" / "dashboards", out, minutes
    )
    for path, counts in drawn:
        empty = sum(1 for count in counts if count == 0)
        print(f"{path}  ({len(counts)} panels, {empty} without data)")
    return 0


def _logs(stack: Stack, name: str | None, follow: bool, lines: int) -> int:
    available = logs.log_files(stack.root)
    if name is not None and name not in available:
        known = ", ".join(available) or "none yet"
        print(f"no log named {name!r} (available: {known})", file=sys.stderr)
        return 1
    chosen = {name: available[name]} if name is not None else available
    if follow:
        logs.follow(chosen, lines)
    else:
        logs.show(chosen, lines)
    return 0


def _dlq(stack: Stack, arguments: Sequence[str]) -> NoReturn:
    environ = dict(os.environ)
    environ.setdefault("CERCHIA_KAFKA_CONFIG", str(stack.kafka.secrets.write_client_configs()))
    python = sys.executable
    os.execve(python, [python, "-m", "cerchia_chassis.dlq", *arguments], environ)  # noqa: S606 - our own tool


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``cerchia-stack`` and ``python -m cerchia_devstack``."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # While a server starts, its clients log connection errors that are expected there.
    for noisy in ("aiokafka", "pymongo"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    if args.command == "up":
        stack = _stack(args, save=True)
        return asyncio.run(_up(stack, detach=args.detach, infra_only=args.infra_only))
    stack = _stack(args)
    if args.command == "kafka":
        kafka_tools.run(stack.kafka, args.tool, args.args)
    if args.command == "dlq":
        _dlq(stack, args.args)
    if args.command == "install":
        asyncio.run(stack.install())
        print(f"Everything is in {cache_dir()}.")
        return 0
    if args.command == "down":
        stopped = stack.stop()
        print(f"Stopped: {', '.join(stopped)}." if stopped else "Nothing was running.")
        if args.purge:
            stack.purge()
            print(f"Deleted {stack.root}.")
        return 0
    if args.command == "status":
        return _status(stack)
    if args.command == "dashboards":
        return _dashboards(stack, args.minutes, args.out)
    return _logs(stack, args.name, args.follow, args.lines)
