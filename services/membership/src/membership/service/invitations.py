"""Invitations into a community, expiring and revocable: sent to one address (usable only by
whoever verified it), or an "anyone with the link" link for a number of people."""

from datetime import UTC, datetime, timedelta

from cerchia_chassis.domain.cursors import Page, page_of
from cerchia_chassis.domain.errors import NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.events import membership as ev
from membership.domain.admission import Invitation
from membership.domain.audit import AuditEntry
from membership.domain.communities import Community
from membership.domain.paging import after_key
from membership.domain.roles import ensure_moderator
from membership.service.community_ports import CommunityPorts
from membership.service.ports import seal_token
from membership.service.seats import Admission, admit, community_in_view, role_of
from membership.service.verified import verified_address


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
        sent = _invitation_sent(ports, community, invitation, email=invitation.email or email,
                                token=token, now=now)  # fmt: skip
        await ports.outbox.add(session, sent)
        return invitation

    invitation = await ports.transactions.run(work)
    ports.outbox.committed()
    return invitation


async def create_link(
    community_id: str,
    *,
    max_uses: int,
    ttl: timedelta | None,
    actor_id: str,
    ports: CommunityPorts,
) -> tuple[Invitation, str]:
    """An owner or moderator makes an "anyone with the link" invitation for ``max_uses``
    people; its token is returned once, to be shared by its maker (nothing is emailed)."""
    now = datetime.now(UTC)

    async def work(session: Session) -> tuple[Invitation, str]:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        ensure_moderator(role_of(standing))
        community.ensure_active()
        invitation, token = Invitation.link(
            community_id=community.id,
            invited_by=actor_id,
            max_uses=max_uses,
            ttl=ttl or ports.policy.invitation_ttl,
            now=now,
        )
        await ports.invitations.add(invitation, session)
        await ports.audit.add(
            AuditEntry(
                community.id,
                "invitation_link_created",
                actor_id,
                now,
                details={"invitation_id": invitation.id, "max_uses": max_uses},
            ),
            session,
        )
        return invitation, token

    return await ports.transactions.run(work)


def _invitation_sent(
    ports: CommunityPorts,
    community: Community,
    invitation: Invitation,
    *,
    email: str,
    token: str,
    now: datetime,
) -> ev.InvitationSentV2:
    """The event that carries the link to the invitee, its token sealed to notifications."""
    return ev.InvitationSentV2.new(
        subject=community.id,
        time=now,
        data=ev.InvitationSent(
            invitation_id=invitation.id,
            community_id=community.id,
            community_name=community.details.name,
            invited_by=invitation.invited_by,
            email=email,
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
            raise NotFound("No such invitation.", code="invitation-not-found")
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


async def _invitation(
    ports: CommunityPorts, token_hash: str, session: Session
) -> tuple[Invitation, Community]:
    """The invitation a token names, with its community; NotFound for an unknown token."""
    invitation = await ports.invitations.by_token_hash(token_hash, session)
    community = None
    if invitation is not None:
        community = await ports.communities.get(invitation.community_id, session)
    if invitation is None or community is None:
        raise NotFound("The invitation is invalid, used or expired.", code="invitation-invalid")
    return invitation, community


async def preview_invitation(
    token_hash: str, *, ports: CommunityPorts
) -> tuple[Invitation, Community]:
    """What an invitation's token opens, for whoever holds it (the token is the secret): the
    community and until when. NotFound, as on accepting, when it is used up, revoked or
    expired, or its community is archived."""

    async def work(session: Session) -> tuple[Invitation, Community]:
        return await _invitation(ports, token_hash, session)

    invitation, community = await ports.transactions.run(work)
    usable = invitation.status == "pending" and datetime.now(UTC) < invitation.expires_at
    if not usable or community.archived_at is not None:
        raise NotFound("The invitation is invalid, used or expired.", code="invitation-invalid")
    return invitation, community


async def accept_invitation(
    token_hash: str, *, user_id: str, code_version: int, ports: CommunityPorts
) -> tuple[Community, Admission]:
    """Use an invitation: join, or wait in line when the community is full.

    Raise EmailNotVerified before the person verified their address, and
    InvitationForSomeoneElse when it was sent to another address than theirs (it then stays
    usable by the person invited)."""
    address = await verified_address(ports, user_id)
    now = datetime.now(UTC)

    async def work(session: Session) -> tuple[Community, Admission]:
        invitation, community = await _invitation(ports, token_hash, session)
        used = invitation.used(user_id, address, now)
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
    community_id: str, *, cursor: str | None, limit: int, viewer_id: str, ports: CommunityPorts
) -> Page[Invitation]:
    """The community's invitations, oldest first, for its moderators."""
    after = after_key(cursor)
    community, standing = await community_in_view(ports, community_id, viewer_id)
    ensure_moderator(role_of(standing))
    found = await ports.invitations.of_community(community.id, after=after, limit=limit + 1)
    return page_of(found, limit, lambda invitation: (invitation.id,))
