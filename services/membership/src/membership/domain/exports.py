"""Personal-data exports: which services have contributed, when an export is done, how long its
archive may be downloaded, and what the archive holds."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cerchia_chassis.domain.errors import Conflict, DomainError, NotFound

#: Every service that keeps personal data, in the archive's order. Membership's own part is
#: written with the request; the others arrive over Kafka.
EXPORT_SERVICES: tuple[str, ...] = ("membership", "content", "events", "notifications")
SELF = "membership"


class ExportStatus(StrEnum):
    """Where an export stands."""

    #: Waiting for parts.
    PENDING = "pending"
    #: Every service contributed; the archive is whole.
    COMPLETE = "complete"
    #: The deadline passed before every service contributed; ``missing`` names them.
    PARTIAL = "partial"


class ExportNotFound(NotFound):
    """No such export, or it belongs to someone else (the two are not told apart)."""

    code = "export-not-found"

    def __init__(self, export_id: str) -> None:
        super().__init__(f"There is no export {export_id}.")


class ExportNotReady(Conflict):
    """The archive is still being assembled."""

    code = "export-not-ready"

    def __init__(self) -> None:
        super().__init__("The export is still being assembled; you will get an email.")


class ExportExpired(DomainError):
    """The archive's download period is over and it was deleted: 410."""

    code = "export-expired"

    def __init__(self) -> None:
        super().__init__("This export has expired and was deleted; ask for a new one.")


class UnknownContributor(DomainError):
    """A part names a service that is not an export contributor (a bad message)."""

    code = "unknown-contributor"


@dataclass(frozen=True)
class Contribution:
    """The parts of one service received so far (``parts`` is None until the first arrives)."""

    parts: int | None = None
    received: frozenset[int] = frozenset()

    @property
    def complete(self) -> bool:
        """Every part of the service arrived."""
        return self.parts is not None and len(self.received) >= self.parts


@dataclass(frozen=True)
class Export:
    """One person's export."""

    id: str
    user_id: str
    requested_at: datetime
    deadline: datetime
    status: ExportStatus = ExportStatus.PENDING
    contributions: Mapping[str, Contribution] = field(default_factory=dict)
    finished_at: datetime | None = None
    expires_at: datetime | None = None
    services: tuple[str, ...] = EXPORT_SERVICES

    @classmethod
    def request(
        cls,
        export_id: str,
        user_id: str,
        *,
        now: datetime,
        wait: timedelta,
        contributors: Sequence[str] = EXPORT_SERVICES[1:],
    ) -> "Export":
        """A new export, waiting for the parts of membership and ``contributors`` until
        ``now + wait``."""
        services = (SELF, *(s for s in contributors if s != SELF))
        return cls(export_id, user_id, now, now + wait, services=services)

    def with_part(self, service: str, sequence: int, parts: int) -> "Export":
        """The export once ``service``'s part ``sequence`` of ``parts`` is stored (idempotent)."""
        if service not in self.services:
            raise UnknownContributor(f"{service} does not contribute to exports.")
        if not 0 <= sequence < parts:
            raise UnknownContributor(f"part {sequence} of {parts} from {service}.")
        before = self.contributions.get(service, Contribution())
        after = Contribution(parts, before.received | {sequence})
        return replace(self, contributions={**self.contributions, service: after})

    @property
    def contributed(self) -> tuple[str, ...]:
        """The services whose whole part arrived, in archive order."""
        return tuple(s for s in self.services if self._complete(s))

    @property
    def missing(self) -> tuple[str, ...]:
        """The services whose part has not (wholly) arrived."""
        return tuple(s for s in self.services if not self._complete(s))

    def _complete(self, service: str) -> bool:
        contribution = self.contributions.get(service)
        return contribution is not None and contribution.complete

    @property
    def pending(self) -> bool:
        """Still waiting for parts."""
        return self.status is ExportStatus.PENDING

    def overdue(self, now: datetime) -> bool:
        """Pending past its deadline: it must be finished as it is."""
        return self.pending and now >= self.deadline

    def ready_to_finish(self, now: datetime) -> bool:
        """Pending, and either every part arrived or the deadline passed."""
        return self.pending and (not self.missing or self.overdue(now))

    def finish(self, now: datetime, *, keep_for: timedelta) -> "Export":
        """Complete (every part in) or partial (the deadline passed first); downloadable for
        ``keep_for``."""
        if not self.pending:
            raise Conflict("The export is already finished.")
        status = ExportStatus.PARTIAL if self.missing else ExportStatus.COMPLETE
        return replace(self, status=status, finished_at=now, expires_at=now + keep_for)

    def expired(self, now: datetime) -> bool:
        """The download period is over."""
        return self.expires_at is not None and now >= self.expires_at

    def check_download(self, user_id: str, now: datetime) -> None:
        """Raise unless ``user_id`` may download the archive ``now``."""
        if user_id != self.user_id:
            raise ExportNotFound(self.id)
        if self.expired(now):
            raise ExportExpired()
        if self.pending:
            raise ExportNotReady()

    def check_owner(self, user_id: str) -> None:
        """Raise ExportNotFound unless the export is ``user_id``'s."""
        if user_id != self.user_id:
            raise ExportNotFound(self.id)


@dataclass(frozen=True)
class PartFile:
    """One stored part: a file (or a slice of it) of one service's contribution."""

    export_id: str
    service: str
    file: str
    description: str
    sequence: int
    items: Sequence[Mapping[str, Any]]


def archive_files(export: Export, parts: Sequence[PartFile]) -> dict[str, str]:
    """The archive's files, path → text: a folder of JSON files per service, the slices of a
    file joined in order, ``export.json`` (what the archive is) and ``README.md``."""
    root = f"cerchia-export-{export.id}"
    joined: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    described: dict[str, dict[str, str]] = {}
    order = {name: n for n, name in enumerate(export.services)}
    for part in sorted(parts, key=lambda p: (order.get(p.service, 99), p.file, p.sequence)):
        if part.service not in export.contributed:
            continue  # a service's incomplete part is left out whole, and named missing
        joined.setdefault((part.service, part.file), []).extend(part.items)
        described.setdefault(part.service, {})[part.file] = part.description
    files = {
        f"{root}/{service}/{name}": json.dumps(items, indent=2, ensure_ascii=False)
        for (service, name), items in joined.items()
    }
    files[f"{root}/export.json"] = json.dumps(manifest(export), indent=2)
    files[f"{root}/README.md"] = readme(export, described)
    return files


def manifest(export: Export) -> dict[str, Any]:
    """What the archive is: whose, when, complete or not, what is missing."""
    return {
        "format": "cerchia.export.v1",
        "export_id": export.id,
        "user_id": export.user_id,
        "requested_at": export.requested_at.isoformat(),
        "finished_at": export.finished_at.isoformat() if export.finished_at else None,
        "status": export.status.value,
        "services": list(export.contributed),
        "missing": list(export.missing),
    }


_SERVICE_TITLES = {
    "membership": "Your account, profile, sessions, communities, applications, introductions",
    "content": "What you wrote and did in discussions, libraries, courses and direct messages",
    "events": "Gatherings you answered, attended, hosted or recapped",
    "notifications": "What Cerchia sends you and how: choices, feed, deliveries, devices, webhooks",
}


def readme(export: Export, described: Mapping[str, Mapping[str, str]]) -> str:
    """The archive's README: what each folder and file holds."""
    lines = [
        "# Your Cerchia data",
        "",
        f"Export `{export.id}`, requested {export.requested_at.isoformat()}, "
        f"status **{export.status.value}**.",
        "",
        "Each folder holds the data one part of Cerchia keeps about you, one JSON file per "
        "kind of record (a list of records; an empty list means nothing of that kind is kept). "
        "Dates are ISO 8601 in UTC. Ids are Cerchia's own; other people appear only by id. "
        "Secrets (password hashes, signing secrets, one-time links, device keys) are described, "
        "never included. `export.json` says what this archive is.",
        "",
    ]
    if export.missing:
        lines += [
            "**Incomplete:** these parts did not answer in time and are missing: "
            + ", ".join(f"`{s}`" for s in export.missing)
            + ". Ask for a new export later to get them.",
            "",
        ]
    for service in export.contributed:
        lines += [f"## {service}/", "", _SERVICE_TITLES.get(service, service) + ".", ""]
        for name, description in sorted(described.get(service, {}).items()):
            lines.append(f"- `{name}`: {description}")
        lines.append("")
    return "\n".join(lines)
