"""Moderation: removing and banning with a reason, changing roles, reading the audit trail."""

from datetime import UTC, datetime

from cerchia_chassis.domain.cursors import Page, page_of
from cerchia_chassis.domain.errors import Conflict, Invalid, NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from membership.domain.audit import AuditEntry
from membership.domain.memberships import Membership, newcomer
from membership.domain.paging import after_key
from membership.domain.roles import Role, ensure_can_discipline, ensure_moderator, role_changes
from membership.service import announcements as announce
from membership.service.closures import close_applications
from membership.service.community_ports import CommunityPorts
from membership.service.seats import community_in_view, release_seat, role_of

MEMBER_NOT_FOUND = "member-not-found"


def _reason(reason: str) -> str:
    if not reason.strip():
        raise Invalid("Give a reason; it is recorded in the audit log.", code="reason-required")
    return reason.strip()


async def remove_member(
    community_id: str, user_id: str, *, reason: str, actor_id: str, ports: CommunityPorts
) -> Membership:
    """A moderator removes a member (who may apply again); the seat goes to the next in line."""
    now = datetime.now(UTC)
    why = _reason(reason)

    async def work(session: Session) -> Membership:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        target = await ports.memberships.get(community.id, user_id, session)
        ensure_moderator(role_of(standing))
        if target is None or not target.is_member:
            raise NotFound("No such member.", code=MEMBER_NOT_FOUND)
        ensure_can_discipline(role_of(standing), target.role, self_=user_id == actor_id)
        gone = target.former(now, why)
        await ports.memberships.put(gone, session)
        await ports.audit.add(
            AuditEntry(community.id, "member_removed", actor_id, now, user_id, why), session
        )
        events: list[AnyEvent] = [
            announce.removed(community.id, user_id, actor_id=actor_id, reason=why, now=now)
        ]
        events += await release_seat(ports, session, community.id, member=True, now=now)
        await ports.outbox.add(session, *events)
        return gone

    gone = await ports.transactions.run(work)
    ports.outbox.committed()
    return gone


async def ban(
    community_id: str, user_id: str, *, reason: str, actor_id: str, ports: CommunityPorts
) -> Membership:
    """A moderator bans someone, member or not: they cannot apply, be invited or rejoin."""
    now = datetime.now(UTC)
    why = _reason(reason)

    async def work(session: Session) -> Membership:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        ensure_moderator(role_of(standing))
        target = await ports.memberships.get(community.id, user_id, session)
        ensure_can_discipline(role_of(standing), role_of(target), self_=user_id == actor_id)
        if target is not None and target.state == "banned":
            raise Conflict("This person is already banned.", code="already-banned")
        base = target or newcomer(community.id, user_id, now)
        banned = base.banned(why, now)
        await ports.memberships.put(banned, session)
        events: list[AnyEvent] = [
            announce.banned(community.id, user_id, actor_id=actor_id, reason=why, now=now)
        ]
        if base.is_member or base.offer is not None:
            events += await release_seat(
                ports, session, community.id, member=base.is_member, now=now
            )
        if base.state == "applicant" and base.application_id is not None:
            application = await ports.applications.get(base.application_id, session)
            if application is not None:
                events += await close_applications(
                    ports, session, [application], cause="banned", reason=why,
                    actor_id=actor_id, now=now,
                )  # fmt: skip
        await ports.audit.add(
            AuditEntry(community.id, "member_banned", actor_id, now, user_id, why), session
        )
        await ports.outbox.add(session, *events)
        return banned

    banned = await ports.transactions.run(work)
    ports.outbox.committed()
    return banned


async def lift_ban(
    community_id: str, user_id: str, *, reason: str, actor_id: str, ports: CommunityPorts
) -> Membership:
    """A moderator lifts a ban: the person may apply, be invited or join again (not rejoined)."""
    now = datetime.now(UTC)
    why = _reason(reason)

    async def work(session: Session) -> Membership:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        ensure_moderator(role_of(standing))
        target = await ports.memberships.get(community.id, user_id, session)
        if target is None:
            raise NotFound("This person is not banned here.", code="ban-not-found")
        lifted = target.unbanned(now)
        await ports.memberships.put(lifted, session)
        await ports.audit.add(
            AuditEntry(community.id, "ban_lifted", actor_id, now, user_id, why), session
        )
        await ports.outbox.add(
            session,
            announce.unbanned(community.id, user_id, actor_id=actor_id, reason=why, now=now),
        )
        return lifted

    lifted = await ports.transactions.run(work)
    ports.outbox.committed()
    return lifted


async def change_role(
    community_id: str, user_id: str, *, role: Role, actor_id: str, ports: CommunityPorts
) -> list[Membership]:
    """The owner promotes, demotes, or hands ownership over (staying on as a moderator)."""
    now = datetime.now(UTC)

    async def work(session: Session) -> list[Membership]:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        target = await ports.memberships.get(community.id, user_id, session)
        ensure_moderator(role_of(standing))
        if target is None or not target.is_member or target.role is None:
            raise NotFound("No such member.", code=MEMBER_NOT_FOUND)
        community.ensure_active()
        changes = role_changes(
            actor_id=actor_id,
            actor_role=role_of(standing),
            target_id=user_id,
            target_role=target.role,
            new_role=role,
        )
        by_id = {target.user_id: target}
        if standing is not None:
            by_id[standing.user_id] = standing
        changed: list[Membership] = []
        events: list[AnyEvent] = []
        for member_id, previous, new in changes:
            updated = by_id[member_id].with_role(new)
            changed.append(updated)
            events.append(
                await _record_role(ports, session, updated, previous, actor_id=actor_id, now=now)
            )
        if role == "owner":
            transferred = community.with_owner(user_id, now)
            await ports.communities.save(transferred, session)
            events.append(announce.updated(transferred, actor_id))
        await ports.outbox.add(session, *events)
        return changed

    changed = await ports.transactions.run(work)
    ports.outbox.committed()
    return changed


async def _record_role(
    ports: CommunityPorts,
    session: Session,
    updated: Membership,
    previous: Role,
    *,
    actor_id: str,
    now: datetime,
) -> AnyEvent:
    """Store a member's new role and audit it; the event that announces it."""
    assert updated.role is not None  # a member's
    await ports.memberships.put(updated, session)
    details = {"from": previous, "to": updated.role}
    await ports.audit.add(
        AuditEntry(
            updated.community_id, "role_changed", actor_id, now, updated.user_id, details=details
        ),
        session,
    )
    return announce.role_changed(
        updated.community_id,
        updated.user_id,
        previous=previous,
        role=updated.role,
        actor_id=actor_id,
        now=now,
    )


async def audit_trail(
    community_id: str, *, cursor: str | None, limit: int, viewer_id: str, ports: CommunityPorts
) -> Page[AuditEntry]:
    """The decisions taken in a community, newest first, for its owner and moderators."""
    after = after_key(cursor)
    community, standing = await community_in_view(ports, community_id, viewer_id)
    ensure_moderator(role_of(standing))
    found = await ports.audit.page(community.id, after=after, limit=limit + 1)
    return page_of(found, limit, lambda entry: (entry.id,))
