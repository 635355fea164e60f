"""Pending applications that end without a decision (ban, archive), in the caller's transaction."""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from membership.domain.admission import Application
from membership.service import announcements as announce
from membership.service.community_ports import CommunityPorts

Cause = Literal["banned", "community_archived"]


async def close_applications(
    ports: CommunityPorts,
    session: Session,
    applications: Sequence[Application],
    *,
    cause: Cause,
    reason: str,
    actor_id: str | None,
    now: datetime,
) -> list[AnyEvent]:
    """Close the pending ones among ``applications``; the applicants are told why."""
    events: list[AnyEvent] = []
    for application in applications:
        if application.status != "pending":
            continue
        closed = application.decided("closed", by=actor_id, reason=reason, now=now)
        await ports.applications.save(closed, session)
        events.append(announce.application_closed(closed, cause=cause, actor_id=actor_id, now=now))
    return events


async def close_for_archive(
    ports: CommunityPorts,
    session: Session,
    community_id: str,
    *,
    actor_id: str | None,
    now: datetime,
) -> list[AnyEvent]:
    """An archived community admits nobody: its pending applications end, applicants step out."""
    pending = await ports.applications.pending(community_id, session)
    events = await close_applications(
        ports,
        session,
        pending,
        cause="community_archived",
        reason="The community was archived.",
        actor_id=actor_id,
        now=now,
    )
    for application in pending:
        applicant = await ports.memberships.get(community_id, application.applicant_id, session)
        if applicant is not None and applicant.state == "applicant":
            await ports.memberships.put(applicant.former(now), session)
    return events
