"""``python -m cerchia_chassis.dlq``: list, peek and replay the dead-letter topics."""

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from aiokafka.errors import KafkaError

from cerchia_chassis.dlq import (
    REPLAY_GROUP,
    DeadLetter,
    Selection,
    dlq_of,
    list_dlqs,
    peek,
    replay,
)
from cerchia_chassis.kafka_access import (
    KafkaAccess,
    KafkaAccessError,
    access_from_arguments,
    add_access_arguments,
)


def _arguments(argv: Sequence[str], environ: Mapping[str, str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cerchia_chassis.dlq",
        description="Inspect and replay the dead-letter topics (<topic>.dlq).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, what: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=what, description=what)
        add_access_arguments(sub, environ)
        sub.add_argument(
            "--group",
            default=REPLAY_GROUP,
            help="the consumer group keeping replay progress (default: %(default)s)",
        )
        sub.add_argument("--json", action="store_true", help="one JSON object per line")
        return sub

    listing = command("list", "dead-letter topics: records, not yet replayed, oldest record")
    listing.add_argument("--all", action="store_true", help="empty dead-letter topics too")
    for name, what in (
        ("peek", "print dead letters decoded, with their error headers"),
        ("replay", "republish dead letters onto their topic"),
    ):
        sub = command(name, what)
        sub.add_argument("topic", help="the original topic (e.g. membership.users.v1) or its DLQ")
        sub.add_argument(
            "--type",
            action="append",
            default=[],
            metavar="PATTERN",
            help="only events of this CloudEvent type (shell pattern; repeatable)",
        )
        sub.add_argument(
            "--error", metavar="TEXT", help="only records whose error type or message has TEXT"
        )
        if name == "peek":
            sub.add_argument("--limit", type=int, default=20, help="at most (default: %(default)s)")
            sub.add_argument("--pending", action="store_true", help="only records not replayed yet")
        else:
            sub.add_argument(
                "--dry-run", action="store_true", help="say what would be replayed; change nothing"
            )
    return parser.parse_args(argv)


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")


def _show_letter(letter: DeadLetter, *, as_json: bool) -> None:
    if as_json:
        _print(json.dumps(asdict(letter), default=str))
        return
    errors = letter.errors
    _print(
        f"{letter.partition}@{letter.offset} {letter.written_at} "
        f"{letter.type or '(not a CloudEvent)'} id={letter.id} subject={letter.subject}"
        f"{' [replayed]' if letter.replayed else ''}"
    )
    _print(
        f"  error: {errors.get('dlq-error-type', '?')}: {errors.get('dlq-error-message', '')}"
        f" (attempts {errors.get('dlq-attempts', '?')}, group {errors.get('dlq-consumer-group')},"
        f" failed at {errors.get('dlq-failed-at')})"
    )


async def _run(args: argparse.Namespace, access: KafkaAccess) -> None:
    if args.command == "list":
        summaries = await list_dlqs(access, group_id=args.group, everything=args.all)
        for s in summaries:
            if args.json:
                _print(json.dumps(asdict(s)))
            else:
                _print(f"{s.topic}  records={s.records} pending={s.pending} oldest={s.oldest}")
        if not summaries and not args.json:
            _print("no dead letters")
        return
    select = Selection(types=args.type, error=args.error)
    if args.command == "peek":
        for letter in await peek(
            access,
            args.topic,
            limit=args.limit,
            select=select,
            pending_only=args.pending,
            group_id=args.group,
        ):
            _show_letter(letter, as_json=args.json)
        return
    outcome = await replay(
        access, args.topic, group_id=args.group, select=select, dry_run=args.dry_run
    )
    if args.dry_run:
        for letter in outcome.replayed:
            _show_letter(letter, as_json=args.json)
    verb = "would replay" if args.dry_run else "replayed"
    _print(f"{verb} {len(outcome.replayed)} messages from {dlq_of(args.topic)}")


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Command line entry point; 0 on success, 1 when Kafka cannot be reached."""
    args = _arguments(sys.argv[1:] if argv is None else argv, environ)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        asyncio.run(_run(args, access_from_arguments(args, environ)))
    except (KafkaError, KafkaAccessError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0
