"""Getting in: open join, and applications reviewed by the moderators."""

from collections.abc import Mapping
from datetime import UTC, datetime

from cerchia_chassis.domain.cursors import Page, page_of
from cerchia_chassis.domain.errors import Conflict, Forbidden, NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as ev
from membership.domain.admission import Application, ApplicationStatus, check_answers
from membership.domain.audit import AuditEntry
from membership.domain.communities import Community
from membership.domain.memberships import Membership, ensure_admissible, newcomer
from membership.domain.paging import after_key
from membership.domain.roles import ensure_moderator, moderates
from membership.service import announcements as announce
from membership.service.community_ports import CommunityPorts
from membership.service.seats import Admission, admit, community_in_view, role_of
from membership.service.verified import verified_address

APPLICATION_NOT_FOUND = "application-not-found"
_POLICY_REFUSALS = {
    "application": ("application-required", "This community admits people by application."),
    "invite_only": ("invitation-required", "This community admits people by invitation only."),
    "open": ("join-directly", "This community is open: join directly."),
}


def _ensure_policy(community: Community, expected: str) -> None:
    policy = community.details.join_policy
    if policy != expected:
        code, detail = _POLICY_REFUSALS[policy]
        raise Conflict(detail, code=code)


async def join(
    community_id: str, *, user_id: str, code_version: int, ports: CommunityPorts
) -> Admission:
    """Join an open community having accepted its code of conduct; waitlisted when full.

    Raise EmailNotVerified before the person verified their address."""
    await verified_address(ports, user_id)
    now = datetime.now(UTC)

    async def work(session: Session) -> Admission:
        community, _ = await community_in_view(ports, community_id, user_id, session)
        _ensure_policy(community, "open")
        community.ensure_current_code(code_version)
        admission = await admit(
            ports,
            session,
            community,
            user_id,
            route="open",
            code_version=code_version,
            actor_id=user_id,
            now=now,
        )
        await ports.outbox.add(session, *admission.events)
        return admission

    admission = await ports.transactions.run(work)
    ports.outbox.committed()
    return admission


async def apply(
    community_id: str,
    *,
    user_id: str,
    answers: Mapping[str, str],
    code_version: int,
    ports: CommunityPorts,
) -> Application:
    """Apply to a community with answers to its screening questions (a verified address
    needed: EmailNotVerified)."""
    await verified_address(ports, user_id)
    now = datetime.now(UTC)

    async def work(session: Session) -> Application:
        community, standing = await community_in_view(ports, community_id, user_id, session)
        community.ensure_active()
        _ensure_policy(community, "application")
        ensure_admissible(standing, route="open")
        community.ensure_current_code(code_version)
        application = Application.submit(
            community_id=community.id,
            applicant_id=user_id,
            answers=check_answers(community.questions, answers),
            code_version=code_version,
            now=now,
        )
        await ports.applications.add(application, session)
        base = standing or newcomer(community.id, user_id, now)
        await ports.memberships.put(base.applied(application.id, now), session)
        event = ev.ApplicationSubmittedV1.new(
            subject=community.id,
            time=now,
            data=ev.ApplicationSubmitted(
                community_id=community.id,
                actor_id=user_id,
                application_id=application.id,
                applicant_id=user_id,
            ),
        )
        await ports.outbox.add(session, event)
        return application

    application = await ports.transactions.run(work)
    ports.outbox.committed()
    return application


async def decide_application(
    community_id: str,
    application_id: str,
    *,
    approve: bool,
    reason: str,
    actor_id: str,
    ports: CommunityPorts,
) -> tuple[Application, Membership]:
    """A moderator approves (the applicant joins or waits) or rejects, with a reason."""
    now = datetime.now(UTC)

    async def work(session: Session) -> tuple[Application, Membership]:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        ensure_moderator(role_of(standing))
        application = await ports.applications.get(application_id, session)
        if application is None or application.community_id != community.id:
            raise NotFound("No such application.", code=APPLICATION_NOT_FOUND)
        status: ApplicationStatus = "approved" if approve else "rejected"
        decided = application.decided(status, by=actor_id, reason=reason, now=now)
        await ports.applications.save(decided, session)
        decide = _approve if approve else _reject
        membership, events = await decide(
            ports, session, community, decided, actor_id=actor_id, now=now
        )
        await ports.audit.add(
            AuditEntry(
                community.id,
                f"application_{status}",
                actor_id,
                now,
                subject_id=decided.applicant_id,
                reason=decided.reason,
                details={"application_id": decided.id},
            ),
            session,
        )
        await ports.outbox.add(session, *events)
        return decided, membership

    result = await ports.transactions.run(work)
    ports.outbox.committed()
    return result


def _decision_fields(decided: Application, actor_id: str) -> dict[str, str]:
    return {
        "community_id": decided.community_id,
        "actor_id": actor_id,
        "application_id": decided.id,
        "applicant_id": decided.applicant_id,
        "reason": decided.reason or "",
    }


async def _approve(
    ports: CommunityPorts,
    session: Session,
    community: Community,
    decided: Application,
    *,
    actor_id: str,
    now: datetime,
) -> tuple[Membership, list[AnyEvent]]:
    """The applicant joins, or waits in line when the community is full (the approval says
    where, so the applicant is told both in one message)."""
    admission = await admit(
        ports,
        session,
        community,
        decided.applicant_id,
        route="application",
        code_version=decided.code_version,
        actor_id=actor_id,
        now=now,
    )
    approved = ev.ApplicationApprovedV1.new(
        subject=community.id,
        time=now,
        data=ev.ApplicationApproved(
            **_decision_fields(decided, actor_id), waitlist_position=admission.position
        ),
    )
    return admission.membership, [approved, *admission.events]


async def _reject(
    ports: CommunityPorts,
    session: Session,
    community: Community,
    decided: Application,
    *,
    actor_id: str,
    now: datetime,
) -> tuple[Membership, list[AnyEvent]]:
    """The applicant steps out; they may apply again."""
    rejected = ev.ApplicationRejectedV1.new(
        subject=community.id,
        time=now,
        data=ev.ApplicationRejected(**_decision_fields(decided, actor_id)),
    )
    applicant = await ports.memberships.get(community.id, decided.applicant_id, session)
    membership = (applicant or newcomer(community.id, decided.applicant_id, now)).former(now)
    await ports.memberships.put(membership, session)
    return membership, [rejected]


async def withdraw_application(
    community_id: str, application_id: str, *, user_id: str, ports: CommunityPorts
) -> Application:
    """The applicant takes back a pending application (and may apply again later)."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Application:
        community, standing = await community_in_view(ports, community_id, user_id, session)
        application = await ports.applications.get(application_id, session)
        if application is None or application.community_id != community.id:
            raise NotFound("No such application.", code=APPLICATION_NOT_FOUND)
        if application.applicant_id != user_id:
            if moderates(role_of(standing)):
                raise Forbidden(
                    "Only the applicant withdraws; moderators reject.", code="applicant-required"
                )
            raise NotFound("No such application.", code=APPLICATION_NOT_FOUND)
        withdrawn = application.withdrawn(now)
        await ports.applications.save(withdrawn, session)
        if standing is not None and standing.state == "applicant":
            await ports.memberships.put(standing.withdrew(now), session)
        await ports.audit.add(
            AuditEntry(
                community.id,
                "application_withdrawn",
                user_id,
                now,
                subject_id=user_id,
                details={"application_id": application.id},
            ),
            session,
        )
        await ports.outbox.add(session, announce.application_withdrawn(withdrawn, now))
        return withdrawn

    withdrawn = await ports.transactions.run(work)
    ports.outbox.committed()
    return withdrawn


async def read_application(
    community_id: str, application_id: str, *, viewer_id: str, ports: CommunityPorts
) -> Application:
    """An application, for the moderators and for the applicant."""
    community, standing = await community_in_view(ports, community_id, viewer_id)
    application = await ports.applications.get(application_id)
    if application is None or application.community_id != community.id:
        raise NotFound("No such application.", code=APPLICATION_NOT_FOUND)
    if application.applicant_id != viewer_id:
        ensure_moderator(role_of(standing))
    return application


async def application_queue(
    community_id: str,
    *,
    status: ApplicationStatus,
    cursor: str | None,
    limit: int,
    viewer_id: str,
    ports: CommunityPorts,
) -> Page[Application]:
    """The moderators' queue, oldest first."""
    after = after_key(cursor)
    community, standing = await community_in_view(ports, community_id, viewer_id)
    ensure_moderator(role_of(standing))
    found = await ports.applications.queue(
        community.id, status=status, after=after, limit=limit + 1
    )
    return page_of(found, limit, lambda application: (application.id,))
