"""Invitations: a moderator's single-use, expiring, revocable link into a community."""

from datetime import UTC, datetime, timedelta

from cerchia_contracts.events import membership as ev
from membership.domain.admission import Invitation
from membership.domain.audit import AuditEntry
from membership.domain.communities import Community
from membership.domain.refusals import NotFound
from membership.domain.roles import ensure_moderator
from membership.service.community_ports import CommunityPorts
from membership.service.ports import Session, seal_token
from membership.service.seats import Admission, admit, community_in_view, role_of


async def invite(
    community_id: str,
    *,
    email: str,
    ttl: timedelta | None,
    actor_id: str,
    ports: CommunityPorts,
) -> Invitation:
    """A moderator invites someone by email; the single-use link travels only in the email."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Invitation:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        ensure_moderator(role_of(standing))
        community.ensure_active()
        invitation, token = Invitation.issue(
            community_id=community.id,
            email=email,
            invited_by=actor_id,
            ttl=ttl or ports.policy.invitation_ttl,
            now=now,
        )
        await ports.invitations.add(invitation, session)
        await ports.audit.add(
            AuditEntry(
                community.id,
                "invitation_sent",
                actor_id,
                now,
                details={"invitation_id": invitation.id, "email": invitation.email},
            ),
            session,
        )
        sent = ev.InvitationSentV2.new(
            subject=community.id,
            time=now,
            data=ev.InvitationSent(
                invitation_id=invitation.id,
                community_id=community.id,
                community_name=community.details.name,
                invited_by=actor_id,
                email=invitation.email,
                locale=community.details.language,
                token=seal_token(
                    ports.sealer,
                    token,
                    event_type=ev.InvitationSentV2.event_type(),
                    subject=community.id,
                ),
                expires_at=invitation.expires_at,
            ),
        )
        await ports.outbox.add(session, sent)
        return invitation

    invitation = await ports.transactions.run(work)
    ports.outbox.committed()
    return invitation


async def revoke_invitation(
    community_id: str, invitation_id: str, *, actor_id: str, ports: CommunityPorts
) -> Invitation:
    """A moderator withdraws an unused invitation."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Invitation:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        ensure_moderator(role_of(standing))
        invitation = await ports.invitations.get(invitation_id, session)
        if invitation is None or invitation.community_id != community.id:
            raise NotFound("invitation-not-found", "No such invitation.")
        revoked = invitation.revoked(now)
        await ports.invitations.save(revoked, session)
        await ports.audit.add(
            AuditEntry(
                community.id,
                "invitation_revoked",
                actor_id,
                now,
                details={"invitation_id": invitation.id},
            ),
            session,
        )
        event = ev.InvitationRevokedV1.new(
            subject=community.id,
            time=now,
            data=ev.InvitationRevoked(
                community_id=community.id, actor_id=actor_id, invitation_id=invitation.id
            ),
        )
        await ports.outbox.add(session, event)
        return revoked

    revoked = await ports.transactions.run(work)
    ports.outbox.committed()
    return revoked


async def accept_invitation(
    token_hash: str, *, user_id: str, code_version: int, ports: CommunityPorts
) -> tuple[Community, Admission]:
    """Use an invitation once: join, or wait in line when the community is full."""
    now = datetime.now(UTC)

    async def work(session: Session) -> tuple[Community, Admission]:
        invitation = await ports.invitations.by_token_hash(token_hash, session)
        if invitation is None:
            raise NotFound("invitation-invalid", "The invitation is invalid, used or expired.")
        community = await ports.communities.get(invitation.community_id, session)
        if community is None:
            raise NotFound("invitation-invalid", "The invitation is invalid, used or expired.")
        used = invitation.used(user_id, now)
        community.ensure_current_code(code_version)
        admission = await admit(
            ports,
            session,
            community,
            user_id,
            route="invitation",
            code_version=code_version,
            actor_id=user_id,
            now=now,
        )
        await ports.invitations.save(used, session)
        await ports.audit.add(
            AuditEntry(
                community.id,
                "invitation_accepted",
                user_id,
                now,
                subject_id=user_id,
                details={"invitation_id": invitation.id},
            ),
            session,
        )
        accepted = ev.InvitationAcceptedV1.new(
            subject=community.id,
            time=now,
            data=ev.InvitationAccepted(
                community_id=community.id,
                actor_id=user_id,
                invitation_id=invitation.id,
                user_id=user_id,
            ),
        )
        await ports.outbox.add(session, accepted, *admission.events)
        return community, admission

    result = await ports.transactions.run(work)
    ports.outbox.committed()
    return result


async def invitations_of(
    community_id: str, *, after: str | None, limit: int, viewer_id: str, ports: CommunityPorts
) -> list[Invitation]:
    """The community's invitations, for its moderators."""
    community, standing = await community_in_view(ports, community_id, viewer_id)
    ensure_moderator(role_of(standing))
    return await ports.invitations.of_community(community.id, after=after, limit=limit)
