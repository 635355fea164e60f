"""Contract events for community changes, built from the domain objects."""

from datetime import datetime

from cerchia_contracts.events import membership as ev
from membership.domain.admission import Application
from membership.domain.communities import Community
from membership.domain.memberships import Membership, Route
from membership.domain.roles import Role
from membership.domain.waitlist import SeatOffer


def snapshot_fields(community: Community, actor_id: str | None) -> dict[str, object]:
    """The full descriptive state every created/updated event carries."""
    d = community.details
    return {
        "community_id": community.id,
        "actor_id": actor_id,
        "slug": d.slug,
        "name": d.name,
        "purpose": d.purpose,
        "audience": d.audience,
        "tags": d.tags,
        "language": d.language,
        "visibility": d.visibility,
        "join_policy": d.join_policy,
        "capacity": community.seats.capacity,
        "owner_id": community.owner_id,
        "code_of_conduct_version": community.code_of_conduct.version,
    }


def created(community: Community) -> ev.CommunityCreatedV1:
    """The community was founded."""
    data = ev.CommunityCreated.model_validate(snapshot_fields(community, community.owner_id))
    return ev.CommunityCreatedV1.new(subject=community.id, data=data, time=community.created_at)


def updated(
    community: Community, actor_id: str, *, previous: Community | None = None
) -> ev.CommunityUpdatedV1:
    """The community's settings (full state after the change; ``previous``: before it)."""
    fields = snapshot_fields(community, actor_id)
    fields["previous_visibility"] = (previous or community).details.visibility
    data = ev.CommunityUpdated.model_validate(fields)
    return ev.CommunityUpdatedV1.new(subject=community.id, data=data, time=community.updated_at)


def archived(community: Community, actor_id: str | None) -> ev.CommunityArchivedV1:
    """The community is read-only from now on."""
    data = ev.CommunityArchived(community_id=community.id, actor_id=actor_id)
    return ev.CommunityArchivedV1.new(subject=community.id, data=data, time=community.updated_at)


def handed_over(community: Community, now: datetime) -> ev.CommunityHandedOverV1:
    """The owner's account was erased: the community has a new owner, or none and is archived."""
    data = ev.CommunityHandedOver(
        community_id=community.id,
        new_owner_id=community.owner_id,
        archived=community.archived,
    )
    return ev.CommunityHandedOverV1.new(subject=community.id, data=data, time=now)


def code_published(community: Community, actor_id: str) -> ev.CodeOfConductPublishedV1:
    """A new code of conduct version is in force."""
    data = ev.CodeOfConductPublished(
        community_id=community.id, actor_id=actor_id, version=community.code_of_conduct.version
    )
    return ev.CodeOfConductPublishedV1.new(
        subject=community.id, data=data, time=community.code_of_conduct.published_at
    )


def code_accepted(membership: Membership, now: datetime) -> ev.CodeOfConductAcceptedV1:
    """A member accepted the version they now hold."""
    data = ev.CodeOfConductAccepted(
        community_id=membership.community_id,
        actor_id=membership.user_id,
        user_id=membership.user_id,
        version=membership.code_version or 0,
    )
    return ev.CodeOfConductAcceptedV1.new(subject=membership.community_id, data=data, time=now)


def joined(membership: Membership, route: Route, actor_id: str | None) -> ev.MemberJoinedV1:
    """Someone became a member."""
    data = ev.MemberJoined(
        community_id=membership.community_id,
        actor_id=actor_id,
        user_id=membership.user_id,
        role=membership.role or "member",
        via=route,
        code_of_conduct_version=membership.code_version or 0,
    )
    return ev.MemberJoinedV1.new(
        subject=membership.community_id, data=data, time=membership.joined_at
    )


def waitlisted(
    membership: Membership, position: int, actor_id: str | None, route: Route
) -> ev.MemberWaitlistedV1:
    """Someone waits for a seat."""
    data = ev.MemberWaitlisted(
        community_id=membership.community_id,
        actor_id=actor_id,
        user_id=membership.user_id,
        position=position,
        via=route,
    )
    return ev.MemberWaitlistedV1.new(
        subject=membership.community_id, data=data, time=membership.since
    )


def offered(membership: Membership, offer: SeatOffer) -> ev.SeatOfferedV1:
    """A seat is held for the head of the waitlist."""
    data = ev.SeatOffered(
        community_id=membership.community_id,
        offer_id=offer.id,
        user_id=membership.user_id,
        expires_at=offer.expires_at,
    )
    return ev.SeatOfferedV1.new(subject=membership.community_id, data=data, time=offer.offered_at)


def offer_closed(
    membership: Membership, offer: SeatOffer, *, expired: bool, now: datetime
) -> ev.SeatOfferExpiredV1 | ev.SeatOfferDeclinedV1:
    """An offer ended without a join."""
    fields = {
        "community_id": membership.community_id,
        "offer_id": offer.id,
        "user_id": membership.user_id,
    }
    if expired:
        return ev.SeatOfferExpiredV1.new(
            subject=membership.community_id, data=ev.SeatOfferExpired(**fields), time=now
        )
    return ev.SeatOfferDeclinedV1.new(
        subject=membership.community_id,
        data=ev.SeatOfferDeclined(**fields, actor_id=membership.user_id),
        time=now,
    )


def left(membership: Membership, now: datetime) -> ev.MemberLeftV1:
    """A member left."""
    data = ev.MemberLeft(
        community_id=membership.community_id,
        actor_id=membership.user_id,
        user_id=membership.user_id,
    )
    return ev.MemberLeftV1.new(subject=membership.community_id, data=data, time=now)


def left_waitlist(membership: Membership, now: datetime) -> ev.WaitlistLeftV1:
    """Someone gave up their place in line."""
    data = ev.WaitlistLeft(
        community_id=membership.community_id,
        actor_id=membership.user_id,
        user_id=membership.user_id,
    )
    return ev.WaitlistLeftV1.new(subject=membership.community_id, data=data, time=now)


def removed(
    community_id: str, user_id: str, *, actor_id: str, reason: str, now: datetime
) -> ev.MemberRemovedV1:
    """A moderator removed a member."""
    data = ev.MemberRemoved(
        community_id=community_id, actor_id=actor_id, user_id=user_id, reason=reason
    )
    return ev.MemberRemovedV1.new(subject=community_id, data=data, time=now)


def banned(
    community_id: str, user_id: str, *, actor_id: str, reason: str, now: datetime
) -> ev.MemberBannedV1:
    """A moderator banned someone."""
    data = ev.MemberBanned(
        community_id=community_id, actor_id=actor_id, user_id=user_id, reason=reason
    )
    return ev.MemberBannedV1.new(subject=community_id, data=data, time=now)


def unbanned(
    community_id: str, user_id: str, *, actor_id: str, reason: str, now: datetime
) -> ev.MemberUnbannedV1:
    """A moderator lifted a ban."""
    data = ev.MemberUnbanned(
        community_id=community_id, actor_id=actor_id, user_id=user_id, reason=reason
    )
    return ev.MemberUnbannedV1.new(subject=community_id, data=data, time=now)


def application_withdrawn(application: Application, now: datetime) -> ev.ApplicationWithdrawnV1:
    """The applicant took their application back."""
    data = ev.ApplicationWithdrawn(
        community_id=application.community_id,
        actor_id=application.applicant_id,
        application_id=application.id,
        applicant_id=application.applicant_id,
    )
    return ev.ApplicationWithdrawnV1.new(subject=application.community_id, data=data, time=now)


def application_closed(
    application: Application, *, cause: str, actor_id: str | None, now: datetime
) -> ev.ApplicationClosedV1:
    """A pending application ended without a decision on its merits."""
    data = ev.ApplicationClosed(
        community_id=application.community_id,
        actor_id=actor_id,
        application_id=application.id,
        applicant_id=application.applicant_id,
        cause=cause,
    )
    return ev.ApplicationClosedV1.new(subject=application.community_id, data=data, time=now)


def role_changed(
    community_id: str,
    user_id: str,
    *,
    previous: Role,
    role: Role,
    actor_id: str | None,
    now: datetime,
) -> ev.MemberRoleChangedV1:
    """A member's role changed."""
    data = ev.MemberRoleChanged(
        community_id=community_id,
        actor_id=actor_id,
        user_id=user_id,
        role=role,
        previous_role=previous,
    )
    return ev.MemberRoleChangedV1.new(subject=community_id, data=data, time=now)
