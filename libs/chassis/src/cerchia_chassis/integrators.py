"""Integrators' access to Kafka: an operator creates, lists and revokes it.

``python -m cerchia_chassis.integrators create acme`` makes the SCRAM user ``integrator-acme``
with read-only ACLs on the public topics and consumer groups named ``integrator-acme*``, then
writes a ready client configuration for it — ``integrator-acme.properties`` (Kafka's Java
clients and tools) and ``integrator-acme.librdkafka.conf`` (kcat ``-F``, confluent-kafka) — and
prints where. ``list`` shows the integrators; ``revoke`` deletes the user and its ACLs at once.
The operator's own connection comes from ``--client-config`` or ``CERCHIA_KAFKA_CONFIG``.
"""

import argparse
import logging
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import KafkaException

from cerchia_chassis.acls import (
    admin_client,
    current_bindings,
    delete_user,
    integrator_username,
    integrators_on,
    plan,
    reconcile,
    upsert_users,
    wait_authenticates,
)
from cerchia_chassis.kafka_access import (
    KafkaAccess,
    KafkaAccessError,
    access_from_arguments,
    add_access_arguments,
)

logger = logging.getLogger("cerchia.integrators")


@dataclass(frozen=True)
class IntegratorAccess:
    """A new integrator's credentials and the client configuration files written for it."""

    username: str
    access: KafkaAccess
    properties: Path
    librdkafka: Path


def create(
    operator: KafkaAccess,
    name: str,
    *,
    directory: Path,
    ca_file: str | None = None,
    bootstrap: str | None = None,
) -> IntegratorAccess:
    """Create (or re-issue) an integrator: a fresh password, the ACLs, its client configuration.

    ``ca_file`` and ``bootstrap`` are what the integrator's configuration names (default: the
    operator's); the files are written with mode 0600.
    """
    username = integrator_username(name)
    password = secrets.token_urlsafe(24)
    client = admin_client(operator)
    upsert_users(client, {username: password})
    known = integrators_on(current_bindings(client))
    reconcile(client, plan(integrators=sorted({*known, username})))
    access = KafkaAccess(
        bootstrap=bootstrap or operator.bootstrap,
        security_protocol=operator.security_protocol,
        sasl_mechanism="SCRAM-SHA-512",
        username=username,
        password=password,
        ca_file=ca_file if ca_file is not None else operator.ca_file,
    )
    wait_authenticates(operator.as_user(username, password))
    directory.mkdir(parents=True, exist_ok=True)
    properties = _write_private(directory / f"{username}.properties", access.java_properties())
    conf = "".join(f"{key}={value}\n" for key, value in access.librdkafka().items())
    librdkafka = _write_private(directory / f"{username}.librdkafka.conf", conf)
    return IntegratorAccess(username, access, properties, librdkafka)


def listed(operator: KafkaAccess) -> list[str]:
    """The integrators that hold ACLs."""
    return integrators_on(current_bindings(admin_client(operator)))


def revoke(operator: KafkaAccess, name: str) -> None:
    """Remove an integrator's credentials and ACLs (its open connections fail on their next
    request that needs authorization)."""
    delete_user(admin_client(operator), integrator_username(name))


def _write_private(path: Path, text: str) -> Path:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """The operator's command line."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    parser = argparse.ArgumentParser(
        prog="python -m cerchia_chassis.integrators", description=__doc__.splitlines()[0]
    )
    add_access_arguments(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("create", help="create or re-issue an integrator's access")
    new.add_argument("name", help="lower-case letters, digits and dashes, e.g. acme")
    new.add_argument("--out", type=Path, default=Path(), help="where to write its client config")
    new.add_argument("--ca-file", help="the CA file path as the integrator will have it")
    new.add_argument("--public-bootstrap", help="the address the integrator connects to")
    commands.add_parser("list", help="the integrators")
    gone = commands.add_parser("revoke", help="delete an integrator's user and ACLs")
    gone.add_argument("name")
    args = parser.parse_args(argv)
    try:
        operator = access_from_arguments(args, os.environ if environ is None else environ)
        if args.command == "create":
            made = create(
                operator,
                args.name,
                directory=args.out,
                ca_file=args.ca_file,
                bootstrap=args.public_bootstrap,
            )
            logger.info("integrator %s can read the public topics", made.username)
            logger.info("  Kafka clients and tools: %s", made.properties)
            logger.info("  kcat -F / confluent-kafka: %s", made.librdkafka)
        elif args.command == "list":
            for username in listed(operator):
                logger.info("%s", username)
        else:
            revoke(operator, args.name)
            logger.info("revoked %s", integrator_username(args.name))
    except (KafkaException, KafkaAccessError, ValueError) as exc:
        logger.error("%s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
