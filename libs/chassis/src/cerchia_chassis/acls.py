"""Kafka principals and ACLs derived from the topic catalog, and applied to a cluster.

One source of truth: ``cerchia_contracts.catalog``. Each service is a SCRAM principal named after
it (``User:<service>``) that may

- write the topics the catalog says it produces;
- read the topics it consumes, and write their dead-letter topics (``<topic>.dlq``);
- use consumer groups whose names start with its own name (``content``, ``content-e2e``...).

Each integrator (``User:integrator-<name>``) may read the public topics (``internal=False``) with
consumer groups starting with its own name, and nothing else. Nobody else may do anything: the
brokers run with ``allow.everyone.if.no.acl.found=false``, and operators use a super user.

``reconcile`` makes a cluster's ACLs for these principals exactly the planned ones (adding the
missing, removing the stale), so changing the catalog changes the ACLs the next time it runs: in
the local stack at ``up``, in the tests at start, in compose in the ``kafka-init`` container and in
Kubernetes in the ``kafka-access`` Job, all with ``python -m cerchia_chassis.acls``.
"""

import argparse
import logging
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from confluent_kafka import KafkaException
from confluent_kafka.admin import (  # type: ignore[attr-defined]  # exported, not re-exported in its stubs
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from cerchia_chassis.kafka_access import (
    KafkaAccess,
    KafkaAccessError,
    access_from_arguments,
    add_access_arguments,
    env_or_file,
)
from cerchia_contracts.catalog import CATALOG, Topic

logger = logging.getLogger("cerchia.acls")

INTEGRATOR_PREFIX = "integrator-"
#: Iterations of the SCRAM credentials this tool creates (Kafka's default is 4096).
SCRAM_ITERATIONS = 4096
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
_TIMEOUT_S = 30.0
_QUIET_LIBRDKAFKA = logging.getLogger("cerchia.acls.librdkafka")
_QUIET_LIBRDKAFKA.propagate = False
_QUIET_LIBRDKAFKA.addHandler(logging.NullHandler())
#: "Any" in an ACL filter: confluent-kafka takes None there, though its annotations say str.
_ANY = cast(str, None)


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW rule: ``principal`` may ``operation`` on a topic or group (name or prefix)."""

    principal: str
    resource: str  # "topic" | "group"
    name: str
    operation: str  # "READ" | "WRITE"
    prefixed: bool = False

    def binding(self) -> AclBinding:
        """The rule as confluent-kafka describes it."""
        return AclBinding(
            ResourceType.TOPIC if self.resource == "topic" else ResourceType.GROUP,
            self.name,
            ResourcePatternType.PREFIXED if self.prefixed else ResourcePatternType.LITERAL,
            self.principal,
            "*",
            AclOperation[self.operation],
            AclPermissionType.ALLOW,
        )


def principal(username: str) -> str:
    """The Kafka principal of a SCRAM user."""
    return f"User:{username}"


def services_of(catalog: Iterable[Topic]) -> list[str]:
    """Every service that produces or consumes a topic of the catalog."""
    names = set()
    for topic in catalog:
        names.add(topic.producer)
        names.update(topic.consumers)
    return sorted(names)


def service_grants(service: str, catalog: Iterable[Topic] = CATALOG) -> list[Grant]:
    """What the catalog lets ``service`` do."""
    who = principal(service)
    grants = []
    for topic in catalog:
        if topic.producer == service:
            grants.append(Grant(who, "topic", topic.name, "WRITE"))
        if service in topic.consumers:
            grants.append(Grant(who, "topic", topic.name, "READ"))
            grants.append(Grant(who, "topic", topic.dlq, "WRITE"))
    if grants:
        grants.append(Grant(who, "group", service, "READ", prefixed=True))
    return sorted(set(grants))


def integrator_username(name: str) -> str:
    """``integrator-<name>``; names are lower-case letters, digits and dashes."""
    if not _NAME.match(name):
        raise ValueError(
            f"integrator names are 2-41 lower-case letters, digits or dashes: {name!r}"
        )
    return INTEGRATOR_PREFIX + name


def integrator_grants(username: str, catalog: Iterable[Topic] = CATALOG) -> list[Grant]:
    """Read the public topics, with consumer groups named after the integrator."""
    who = principal(username)
    grants = [Grant(who, "topic", t.name, "READ") for t in catalog if not t.internal]
    grants.append(Grant(who, "group", username, "READ", prefixed=True))
    return sorted(grants)


def plan(
    catalog: Sequence[Topic] = CATALOG, integrators: Iterable[str] = ()
) -> dict[str, list[Grant]]:
    """Every managed principal and its grants: the services, then the integrators given."""
    planned = {principal(s): service_grants(s, catalog) for s in services_of(catalog)}
    for username in integrators:
        planned[principal(username)] = integrator_grants(username, catalog)
    return planned


# --------------------------------------------------------------------------- applying to a cluster


def admin_client(access: KafkaAccess) -> AdminClient:
    """A confluent-kafka admin client for an operator's connection."""
    return AdminClient({**access.librdkafka(), "socket.timeout.ms": 20000})


def _wait(futures: Mapping[Any, Any]) -> None:
    for future in futures.values():
        future.result(timeout=_TIMEOUT_S)


def _grant_of(binding: AclBinding) -> Grant | None:
    if binding.permission_type != AclPermissionType.ALLOW or binding.host != "*":
        return None
    if binding.restype not in (ResourceType.TOPIC, ResourceType.GROUP):
        return None
    if binding.resource_pattern_type not in (
        ResourcePatternType.LITERAL,
        ResourcePatternType.PREFIXED,
    ):
        return None
    return Grant(
        binding.principal,
        "topic" if binding.restype == ResourceType.TOPIC else "group",
        binding.name,
        AclOperation(binding.operation).name,
        prefixed=binding.resource_pattern_type == ResourcePatternType.PREFIXED,
    )


def current_bindings(client: AdminClient) -> list[AclBinding]:
    """Every ACL on the cluster."""
    everything = AclBindingFilter(
        ResourceType.ANY,
        _ANY,
        ResourcePatternType.ANY,
        _ANY,
        _ANY,
        AclOperation.ANY,
        AclPermissionType.ANY,
    )
    return list(client.describe_acls(everything).result(timeout=_TIMEOUT_S))


def integrators_on(bindings: Iterable[AclBinding]) -> list[str]:
    """The integrators' usernames that hold ACLs."""
    prefix = principal(INTEGRATOR_PREFIX)
    return sorted(
        {b.principal.removeprefix("User:") for b in bindings if b.principal.startswith(prefix)}
    )


@dataclass
class Reconciled:
    """What one reconciliation changed."""

    added: list[Grant]
    removed: list[AclBinding]


def reconcile(client: AdminClient, planned: Mapping[str, Sequence[Grant]]) -> Reconciled:
    """Make the ACLs of the planned principals exactly the planned ones."""
    bindings = current_bindings(client)
    present: dict[Grant, AclBinding] = {}
    stale: list[AclBinding] = []
    for binding in bindings:
        if binding.principal not in planned:
            continue
        grant = _grant_of(binding)
        if grant is None or grant not in set(planned[binding.principal]):
            stale.append(binding)
        else:
            present[grant] = binding
    missing = sorted({g for grants in planned.values() for g in grants} - present.keys())
    if missing:
        _wait(client.create_acls([grant.binding() for grant in missing]))
    if stale:
        _wait(client.delete_acls([_exact_filter(binding) for binding in stale]))
    return Reconciled(added=missing, removed=stale)


def _exact_filter(binding: AclBinding) -> AclBindingFilter:
    return AclBindingFilter(
        binding.restype,
        binding.name,
        binding.resource_pattern_type,
        binding.principal,
        binding.host,
        binding.operation,
        binding.permission_type,
    )


def upsert_users(client: AdminClient, passwords: Mapping[str, str]) -> None:
    """Create or update SCRAM-SHA-512 credentials."""
    if not passwords:
        return
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
    _wait(
        client.alter_user_scram_credentials(
            [
                UserScramCredentialUpsertion(user, info, password.encode())
                for user, password in passwords.items()
            ]
        )
    )


def wait_authenticates(access: KafkaAccess, timeout: float = 20.0) -> None:
    """Wait until the brokers accept ``access``'s credentials.

    A SCRAM credential reaches the brokers through the metadata log a moment after it was
    written; whoever is handed it next (a service starting, an integrator) must not race it.
    """
    deadline = time.monotonic() + timeout
    while True:
        # Refusals are expected until the credential arrives: librdkafka's own log stays quiet.
        client = AdminClient(
            {**access.librdkafka(), "socket.timeout.ms": 5000}, logger=_QUIET_LIBRDKAFKA
        )
        try:
            client.list_topics(timeout=5)
        except KafkaException:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
        else:
            return


def delete_user(client: AdminClient, username: str) -> None:
    """Remove a SCRAM user's credentials and every ACL naming it."""
    _wait(
        client.alter_user_scram_credentials(
            [UserScramCredentialDeletion(username, ScramMechanism.SCRAM_SHA_512)]
        )
    )
    everything_of = AclBindingFilter(
        ResourceType.ANY,
        _ANY,
        ResourcePatternType.ANY,
        principal(username),
        _ANY,
        AclOperation.ANY,
        AclPermissionType.ANY,
    )
    _wait(client.delete_acls([everything_of]))


def users_with_credentials(client: AdminClient) -> list[str]:
    """Every SCRAM user the cluster knows."""
    described: Any = client.describe_user_scram_credentials()
    return sorted(described.result(timeout=_TIMEOUT_S))


def apply(
    access: KafkaAccess,
    passwords: Mapping[str, str],
    catalog: Sequence[Topic] = CATALOG,
) -> Reconciled:
    """Create the services' users (those with a password given) and reconcile every managed
    principal's ACLs (services and the integrators already registered) with the catalog."""
    client = admin_client(access)
    upsert_users(client, passwords)
    integrators = integrators_on(current_bindings(client))
    outcome = reconcile(client, plan(catalog, integrators))
    for user, password in passwords.items():
        wait_authenticates(access.as_user(user, password))
    return outcome


def service_passwords(
    environ: Mapping[str, str], services: Iterable[str] | None = None
) -> dict[str, str]:
    """``CERCHIA_KAFKA_PASSWORD_<SERVICE>`` (or ``..._FILE``) for each service that has one."""
    found = {}
    for service in services if services is not None else services_of(CATALOG):
        value = env_or_file(environ, f"CERCHIA_KAFKA_PASSWORD_{service.upper()}")
        if value:
            found[service] = value
    return found


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """``apply``: users and ACLs from the catalog; ``show``: the plan, without a cluster."""
    import os

    env = os.environ if environ is None else environ
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    parser = argparse.ArgumentParser(
        prog="python -m cerchia_chassis.acls", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    apply_cmd = commands.add_parser(
        "apply",
        help="create the services' SCRAM users (from CERCHIA_KAFKA_PASSWORD_<SERVICE>[_FILE]) "
        "and make every managed principal's ACLs those of the catalog",
    )
    add_access_arguments(apply_cmd)
    commands.add_parser("show", help="print the ACLs the catalog implies")
    args = parser.parse_args(argv)
    if args.command == "show":
        for who, grants in plan().items():
            for g in grants:
                pattern = "prefix" if g.prefixed else "name"
                logger.info("%s %s %s %s=%s", who, g.operation, g.resource, pattern, g.name)
        return 0
    try:
        outcome = apply(access_from_arguments(args, env), service_passwords(env))
    except (KafkaException, KafkaAccessError) as exc:
        logger.error("%s", exc)
        return 1
    logger.info("ACLs: %d added, %d removed", len(outcome.added), len(outcome.removed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
