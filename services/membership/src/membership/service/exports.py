"""The personal-data export: ask every service for its part, gather the parts, finish the export
(complete, or partial at the deadline), and hand its owner one zip archive until it expires."""

import io
import uuid
import zipfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from cerchia_chassis.exports import json_safe
from cerchia_chassis.ports import EventOutbox, Session, Transactions
from cerchia_contracts.events.exports import (
    ExportPart,
    ExportReady,
    ExportReadyV1,
    ExportRequested,
    ExportRequestedV1,
)
from membership.domain.exports import (
    EXPORT_SERVICES,
    SELF,
    Export,
    ExportNotFound,
    PartFile,
    archive_files,
)
from membership.service.account_ports import PersonalDataExporter

CONSUMER = "membership.exports"


class Exports(Protocol):
    """Exports and their stored parts."""

    async def add(self, export: Export, purge_at: datetime, session: Session) -> None: ...

    async def save(self, export: Export, purge_at: datetime, session: Session) -> None: ...

    async def get(self, export_id: str, session: Session | None = None) -> Export | None: ...

    async def pending_of(self, user_id: str, session: Session | None = None) -> Export | None: ...

    async def overdue(self, now: datetime, limit: int) -> list[str]: ...

    async def put_part(self, part: PartFile, purge_at: datetime, session: Session) -> None: ...

    async def parts(self, export_id: str) -> list[PartFile]: ...


class Inbox(Protocol):
    """The idempotent inbox: an effect once per (consumer, event id)."""

    async def process_once(
        self, *, consumer: str, event_id: str, effect: Callable[[Session], Awaitable[None]]
    ) -> bool: ...


@dataclass(frozen=True)
class ExportPolicy:
    """How long services have to answer, and how long an archive may be downloaded."""

    wait: timedelta
    keep_for: timedelta
    #: The services asked for a part besides membership.
    contributors: tuple[str, ...] = EXPORT_SERVICES[1:]


@dataclass(frozen=True)
class ExportPorts:
    """What the export use cases need."""

    transactions: Transactions
    outbox: EventOutbox
    inbox: Inbox
    exports: Exports
    #: Membership's own part: its sections (the same as ``GET /me/export``).
    exporters: Mapping[str, PersonalDataExporter]
    policy: ExportPolicy


#: What membership's own files hold, for the archive's README.
_OWN_FILES = {
    "account": "Your account: id, email address, whether and when it was verified, name, "
    "language, creation date (the password is kept only as an argon2id hash, not included).",
    "profile": "Your profile: handle, headline, bio, city, skills, interests, asks, "
    "visibility choices.",
    "sessions": "Your sign-in sessions: when each began, was refreshed, expires or ended.",
    "pending_links": "Emailed links (verification, password reset) not yet used, without the "
    "secret they carry.",
    "memberships": "Your places in communities: state, role, dates, code of conduct accepted.",
    "applications": "Your applications to join communities, with your answers and the outcome.",
    "introductions": "Introductions you asked for or were asked for, with their notes.",
}


def _own_parts(export_id: str, sections: Mapping[str, Mapping[str, Any]]) -> list[PartFile]:
    files: list[tuple[str, Any]] = [
        (name, value) for section in sections.values() for name, value in section.items()
    ]
    parts = []
    for n, (name, value) in enumerate(files):
        items = value if isinstance(value, list) else [value]
        parts.append(
            PartFile(
                export_id=export_id,
                service=SELF,
                file=f"{name}.json",
                description=_OWN_FILES.get(name, f"Your {name.replace('_', ' ')}."),
                sequence=n,
                items=[json_safe(item) for item in items],
            )
        )
    return parts


async def request_export(user_id: str, *, ports: ExportPorts, now: datetime) -> Export:
    """Start an export (or return the one already under way): membership's part is stored
    at once, and every other service is asked for its part."""
    existing = await ports.exports.pending_of(user_id)
    if existing is not None:
        return existing
    sections = {name: await e.export(user_id) for name, e in ports.exporters.items()}
    export = Export.request(
        str(uuid.uuid4()),
        user_id,
        now=now,
        wait=ports.policy.wait,
        contributors=ports.policy.contributors,
    )
    own = _own_parts(export.id, sections)
    for part in own:
        export = export.with_part(SELF, part.sequence, len(own))
    purge_at = export.deadline + ports.policy.keep_for
    event = ExportRequestedV1.new(
        subject=user_id,
        time=now,
        data=ExportRequested(export_id=export.id, user_id=user_id, deadline=export.deadline),
    )

    async def work(session: Session) -> None:
        if await ports.exports.pending_of(user_id, session) is not None:
            return  # a concurrent request won; this one adds nothing
        await ports.exports.add(export, purge_at, session)
        for part in own:
            await ports.exports.put_part(part, purge_at, session)
        await ports.outbox.add(session, event)

    await ports.transactions.run(work)
    ports.outbox.committed()
    return await ports.exports.pending_of(user_id) or export


def _ready(export: Export) -> ExportReadyV1:
    assert export.expires_at is not None
    return ExportReadyV1.new(
        subject=export.user_id,
        data=ExportReady(
            export_id=export.id,
            user_id=export.user_id,
            status="partial" if export.missing else "complete",
            missing=export.missing,
            expires_at=export.expires_at.astimezone(UTC).isoformat(),
        ),
    )


async def record_part(
    event_id: str, part: ExportPart, *, ports: ExportPorts, now: datetime
) -> bool:
    """Store a service's part once; the last part finishes the export. A part for an unknown
    or already finished export is dropped (the archive was announced without it)."""

    async def effect(session: Session) -> None:
        export = await ports.exports.get(part.export_id, session)
        if export is None or not export.pending or export.user_id != part.user_id:
            return
        if part.service not in export.services:
            return  # a service this export does not wait for (another deployment's)
        export = export.with_part(part.service, part.sequence, part.parts)
        purge_at = export.deadline + ports.policy.keep_for
        await ports.exports.put_part(
            PartFile(
                export_id=part.export_id,
                service=part.service,
                file=part.file,
                description=part.description,
                sequence=part.sequence,
                items=list(part.items),
            ),
            purge_at,
            session,
        )
        if export.ready_to_finish(now):
            export = export.finish(now, keep_for=ports.policy.keep_for)
            purge_at = export.expires_at or purge_at
            await ports.outbox.add(session, _ready(export))
        await ports.exports.save(export, purge_at, session)

    applied = await ports.inbox.process_once(consumer=CONSUMER, event_id=event_id, effect=effect)
    if applied:
        ports.outbox.committed()
    return applied


async def finish_overdue(*, ports: ExportPorts, now: datetime, limit: int = 50) -> int:
    """Finish the exports whose deadline passed as partial, naming what is missing; how many."""
    finished = 0
    for export_id in await ports.exports.overdue(now, limit):

        async def work(session: Session, export_id: str = export_id) -> bool:
            export = await ports.exports.get(export_id, session)
            if export is None or not export.overdue(now):
                return False
            export = export.finish(now, keep_for=ports.policy.keep_for)
            assert export.expires_at is not None
            await ports.exports.save(export, export.expires_at, session)
            await ports.outbox.add(session, _ready(export))
            return True

        if await ports.transactions.run(work):
            finished += 1
    if finished:
        ports.outbox.committed()
    return finished


async def export_of(export_id: str, user_id: str, *, ports: ExportPorts) -> Export:
    """The caller's export; ExportNotFound for another person's."""
    export = await ports.exports.get(export_id)
    if export is None:
        raise ExportNotFound(export_id)
    export.check_owner(user_id)
    return export


async def archive(
    export_id: str, user_id: str, *, ports: ExportPorts, now: datetime
) -> tuple[str, bytes]:
    """The export's zip archive (file name, bytes), for its owner, while it has not expired."""
    export = await ports.exports.get(export_id)
    if export is None:
        raise ExportNotFound(export_id)
    export.check_download(user_id, now)
    files = archive_files(export, await ports.exports.parts(export_id))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive_zip:
        for path, text in files.items():
            archive_zip.writestr(path, text)
    return f"cerchia-export-{export.id}.zip", buffer.getvalue()
