"""``membership.communities.v1``: communities, admission and membership, keyed by community id.

Other services build their authorization projections from this topic (is the caller a member?
with which role? banned? has they accepted the current code of conduct?), so every event
carries what those projections need.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

Role = Literal["owner", "moderator", "member"]
Visibility = Literal["public", "unlisted", "private"]
JoinPolicy = Literal["open", "application", "invite_only"]
JoinRoute = Literal["open", "application", "invitation", "waitlist", "founder"]

__all__ = [
    "ApplicationApproved",
    "ApplicationApprovedV1",
    "ApplicationClosed",
    "ApplicationClosedV1",
    "ApplicationRejected",
    "ApplicationRejectedV1",
    "ApplicationSubmitted",
    "ApplicationSubmittedV1",
    "ApplicationWithdrawn",
    "ApplicationWithdrawnV1",
    "CodeOfConductAccepted",
    "CodeOfConductAcceptedV1",
    "CodeOfConductPublished",
    "CodeOfConductPublishedV1",
    "CommunityArchived",
    "CommunityArchivedV1",
    "CommunityCreated",
    "CommunityCreatedV1",
    "CommunityHandedOver",
    "CommunityHandedOverV1",
    "CommunitySnapshot",
    "CommunityUpdated",
    "CommunityUpdatedV1",
    "InvitationAccepted",
    "InvitationAcceptedV1",
    "InvitationRevoked",
    "InvitationRevokedV1",
    "JoinPolicy",
    "JoinRoute",
    "MemberBanned",
    "MemberBannedV1",
    "MemberJoined",
    "MemberJoinedV1",
    "MemberLeft",
    "MemberLeftV1",
    "MemberRemoved",
    "MemberRemovedV1",
    "MemberRoleChanged",
    "MemberRoleChangedV1",
    "MemberUnbanned",
    "MemberUnbannedV1",
    "MemberWaitlisted",
    "MemberWaitlistedV1",
    "Role",
    "SeatOfferDeclined",
    "SeatOfferDeclinedV1",
    "SeatOfferExpired",
    "SeatOfferExpiredV1",
    "SeatOffered",
    "SeatOfferedV1",
    "Visibility",
    "WaitlistLeft",
    "WaitlistLeftV1",
]


class CommunityFact(EventData):
    """Fields every community event carries."""

    community_id: str = Field(description="Id of the community.")
    actor_id: str | None = Field(
        default=None, description="User who caused the change (None for the platform itself)."
    )


class CommunitySnapshot(CommunityFact):
    """A community's descriptive state, in full, after a change."""

    slug: str = Field(description="Unique URL name.")
    name: str = Field(description="Display name.")
    purpose: str = Field(description="Mission statement: why the community exists.")
    audience: str = Field(description="Who the community is for.")
    tags: tuple[str, ...] = Field(default=(), description="Topics.")
    language: Literal["it", "en"] = Field(description="Main language of the community.")
    visibility: Visibility = Field(description="public, unlisted or private.")
    join_policy: JoinPolicy = Field(description="open, application or invite_only.")
    capacity: int = Field(description="Maximum number of members.")
    owner_id: str = Field(description="User id of the owner.")
    code_of_conduct_version: int = Field(description="Current code of conduct version.")


class CommunityCreated(CommunitySnapshot):
    """A community was founded; its founder is its owner and first member."""


class CommunityCreatedV1(CloudEvent[CommunityCreated]):
    """A new community exists."""

    type: Literal["cerchia.membership.community_created.v1"] = Field(
        default="cerchia.membership.community_created.v1", description="Event type."
    )


class CommunityUpdated(CommunitySnapshot):
    """A community's description, visibility, policy or capacity changed."""

    previous_visibility: Visibility | None = Field(
        default=None,
        description="Visibility before this change (None from producers that predate it).",
    )


class CommunityUpdatedV1(CloudEvent[CommunityUpdated]):
    """The community's settings changed (full state)."""

    type: Literal["cerchia.membership.community_updated.v1"] = Field(
        default="cerchia.membership.community_updated.v1", description="Event type."
    )


class CommunityArchived(CommunityFact):
    """A community was archived: read-only from now on."""


class CommunityArchivedV1(CloudEvent[CommunityArchived]):
    """The community is archived."""

    type: Literal["cerchia.membership.community_archived.v1"] = Field(
        default="cerchia.membership.community_archived.v1", description="Event type."
    )


class CommunityHandedOver(CommunityFact):
    """The owner's account was erased: the community passed to its longest-serving moderator,
    or, with none, was archived with no owner. Told to every remaining member."""

    new_owner_id: str | None = Field(
        description="The moderator who is the owner now; None when the community was archived."
    )
    archived: bool = Field(description="Whether the community was archived instead.")


class CommunityHandedOverV1(CloudEvent[CommunityHandedOver]):
    """A community lost its owner to an erasure and was handed over or archived."""

    type: Literal["cerchia.membership.community_handed_over.v1"] = Field(
        default="cerchia.membership.community_handed_over.v1", description="Event type."
    )


class CodeOfConductPublished(CommunityFact):
    """A new code of conduct version: members must re-accept it before they post again."""

    version: int = Field(description="The new current version (1, 2, ...).")


class CodeOfConductPublishedV1(CloudEvent[CodeOfConductPublished]):
    """A new code of conduct version is in force."""

    type: Literal["cerchia.membership.code_of_conduct_published.v1"] = Field(
        default="cerchia.membership.code_of_conduct_published.v1", description="Event type."
    )


class CodeOfConductAccepted(CommunityFact):
    """A member accepted a code of conduct version."""

    user_id: str = Field(description="The member.")
    version: int = Field(description="The version accepted.")


class CodeOfConductAcceptedV1(CloudEvent[CodeOfConductAccepted]):
    """A member accepted the code of conduct."""

    type: Literal["cerchia.membership.code_of_conduct_accepted.v1"] = Field(
        default="cerchia.membership.code_of_conduct_accepted.v1", description="Event type."
    )


class ApplicationSubmitted(CommunityFact):
    """Someone applied to join; the moderators review it."""

    application_id: str = Field(description="Id of the application.")
    applicant_id: str = Field(description="User id of the applicant.")


class ApplicationSubmittedV1(CloudEvent[ApplicationSubmitted]):
    """An application awaits review."""

    type: Literal["cerchia.membership.application_submitted.v1"] = Field(
        default="cerchia.membership.application_submitted.v1", description="Event type."
    )


class ApplicationDecided(CommunityFact):
    """A moderator decided an application."""

    application_id: str = Field(description="Id of the application.")
    applicant_id: str = Field(description="User id of the applicant.")
    reason: str = Field(description="The recorded reason for the decision.")


class ApplicationApproved(ApplicationDecided):
    """The applicant is admitted (then joins, or is waitlisted when full)."""

    waitlist_position: int | None = Field(
        default=None,
        description=(
            "1-based place on the waitlist when the community was full and the approval put the "
            "applicant there (a member_waitlisted with via=application follows); null when they "
            "joined."
        ),
    )


class ApplicationApprovedV1(CloudEvent[ApplicationApproved]):
    """An application was approved."""

    type: Literal["cerchia.membership.application_approved.v1"] = Field(
        default="cerchia.membership.application_approved.v1", description="Event type."
    )


class ApplicationRejected(ApplicationDecided):
    """The applicant is not admitted."""


class ApplicationRejectedV1(CloudEvent[ApplicationRejected]):
    """An application was rejected."""

    type: Literal["cerchia.membership.application_rejected.v1"] = Field(
        default="cerchia.membership.application_rejected.v1", description="Event type."
    )


class ApplicationWithdrawn(CommunityFact):
    """The applicant withdrew their pending application before a decision."""

    application_id: str = Field(description="Id of the application.")
    applicant_id: str = Field(description="User id of the applicant (also the actor).")


class ApplicationWithdrawnV1(CloudEvent[ApplicationWithdrawn]):
    """An application was withdrawn by its applicant."""

    type: Literal["cerchia.membership.application_withdrawn.v1"] = Field(
        default="cerchia.membership.application_withdrawn.v1", description="Event type."
    )


class ApplicationClosed(CommunityFact):
    """A pending application was closed without a decision on its merits."""

    application_id: str = Field(description="Id of the application.")
    applicant_id: str = Field(description="User id of the applicant.")
    cause: str = Field(
        description=(
            "Why it was closed: `banned` (the applicant was banned from the community) or "
            "`community_archived` (the community admits nobody any more)."
        )
    )


class ApplicationClosedV1(CloudEvent[ApplicationClosed]):
    """An application was closed without a decision."""

    type: Literal["cerchia.membership.application_closed.v1"] = Field(
        default="cerchia.membership.application_closed.v1", description="Event type."
    )


class InvitationAccepted(CommunityFact):
    """An invitation was used (the invitee then joins, or is waitlisted when full)."""

    invitation_id: str = Field(description="Id of the invitation.")
    user_id: str = Field(description="User who accepted it.")


class InvitationAcceptedV1(CloudEvent[InvitationAccepted]):
    """An invitation was accepted."""

    type: Literal["cerchia.membership.invitation_accepted.v1"] = Field(
        default="cerchia.membership.invitation_accepted.v1", description="Event type."
    )


class InvitationRevoked(CommunityFact):
    """A moderator revoked an invitation before it was used; its link no longer works."""

    invitation_id: str = Field(description="Id of the invitation.")


class InvitationRevokedV1(CloudEvent[InvitationRevoked]):
    """An invitation was revoked."""

    type: Literal["cerchia.membership.invitation_revoked.v1"] = Field(
        default="cerchia.membership.invitation_revoked.v1", description="Event type."
    )


class MemberJoined(CommunityFact):
    """Someone became a member, having accepted the current code of conduct."""

    user_id: str = Field(description="The new member.")
    role: Role = Field(description="Role on joining (owner for the founder, else member).")
    via: JoinRoute = Field(description="How they got in.")
    code_of_conduct_version: int = Field(description="Code of conduct version they accepted.")


class MemberJoinedV1(CloudEvent[MemberJoined]):
    """A member joined."""

    type: Literal["cerchia.membership.member_joined.v1"] = Field(
        default="cerchia.membership.member_joined.v1", description="Event type."
    )


class MemberWaitlisted(CommunityFact):
    """An admitted person waits for a seat (the community is full)."""

    user_id: str = Field(description="The person waiting.")
    position: int = Field(description="1-based position in the FIFO waitlist when added.")
    via: JoinRoute | None = Field(
        default=None,
        description=(
            "How they came to wait: open, application or invitation; null from producers that "
            "predate the field."
        ),
    )


class MemberWaitlistedV1(CloudEvent[MemberWaitlisted]):
    """Someone joined the waitlist."""

    type: Literal["cerchia.membership.member_waitlisted.v1"] = Field(
        default="cerchia.membership.member_waitlisted.v1", description="Event type."
    )


class WaitlistLeft(CommunityFact):
    """A person gave up their place on the waitlist (the others move up)."""

    user_id: str = Field(description="The person who left the waitlist.")


class WaitlistLeftV1(CloudEvent[WaitlistLeft]):
    """Someone left the waitlist."""

    type: Literal["cerchia.membership.waitlist_left.v1"] = Field(
        default="cerchia.membership.waitlist_left.v1", description="Event type."
    )


class SeatOffered(CommunityFact):
    """A seat freed up and is offered to the first person on the waitlist, for a limited time."""

    offer_id: str = Field(description="Id of the offer.")
    user_id: str = Field(description="The person offered the seat.")
    expires_at: datetime = Field(description="When the offer lapses (UTC).")


class SeatOfferedV1(CloudEvent[SeatOffered]):
    """A seat is offered."""

    type: Literal["cerchia.membership.seat_offered.v1"] = Field(
        default="cerchia.membership.seat_offered.v1", description="Event type."
    )


class SeatOfferClosed(CommunityFact):
    """A seat offer ended without a join; the seat goes to the next in line."""

    offer_id: str = Field(description="Id of the offer.")
    user_id: str = Field(description="The person the seat was offered to.")


class SeatOfferDeclined(SeatOfferClosed):
    """The person declined the seat."""


class SeatOfferDeclinedV1(CloudEvent[SeatOfferDeclined]):
    """A seat offer was declined."""

    type: Literal["cerchia.membership.seat_offer_declined.v1"] = Field(
        default="cerchia.membership.seat_offer_declined.v1", description="Event type."
    )


class SeatOfferExpired(SeatOfferClosed):
    """The offer lapsed unanswered."""


class SeatOfferExpiredV1(CloudEvent[SeatOfferExpired]):
    """A seat offer expired."""

    type: Literal["cerchia.membership.seat_offer_expired.v1"] = Field(
        default="cerchia.membership.seat_offer_expired.v1", description="Event type."
    )


class MemberLeft(CommunityFact):
    """A member left of their own accord."""

    user_id: str = Field(description="The former member.")


class MemberLeftV1(CloudEvent[MemberLeft]):
    """A member left."""

    type: Literal["cerchia.membership.member_left.v1"] = Field(
        default="cerchia.membership.member_left.v1", description="Event type."
    )


class MemberRemoved(CommunityFact):
    """A moderator removed a member (they may apply again)."""

    user_id: str = Field(description="The removed member.")
    reason: str = Field(description="The recorded reason.")


class MemberRemovedV1(CloudEvent[MemberRemoved]):
    """A member was removed."""

    type: Literal["cerchia.membership.member_removed.v1"] = Field(
        default="cerchia.membership.member_removed.v1", description="Event type."
    )


class MemberBanned(CommunityFact):
    """A person was banned: they cannot apply, be invited or rejoin."""

    user_id: str = Field(description="The banned person.")
    reason: str = Field(description="The recorded reason.")


class MemberBannedV1(CloudEvent[MemberBanned]):
    """A person was banned."""

    type: Literal["cerchia.membership.member_banned.v1"] = Field(
        default="cerchia.membership.member_banned.v1", description="Event type."
    )


class MemberUnbanned(CommunityFact):
    """A moderator lifted a ban: the person may apply, be invited or join again."""

    user_id: str = Field(description="The person no longer banned (not a member until admitted).")
    reason: str = Field(description="The recorded reason for lifting the ban.")


class MemberUnbannedV1(CloudEvent[MemberUnbanned]):
    """A ban was lifted."""

    type: Literal["cerchia.membership.member_unbanned.v1"] = Field(
        default="cerchia.membership.member_unbanned.v1", description="Event type."
    )


class MemberRoleChanged(CommunityFact):
    """A member's role changed (promotion, demotion, ownership transfer)."""

    user_id: str = Field(description="The member.")
    role: Role = Field(description="The new role.")
    previous_role: Role = Field(description="The role before.")


class MemberRoleChangedV1(CloudEvent[MemberRoleChanged]):
    """A member's role changed."""

    type: Literal["cerchia.membership.member_role_changed.v1"] = Field(
        default="cerchia.membership.member_role_changed.v1", description="Event type."
    )
