"""HTTP routes of admission: join, invitations, the waitlist, seat offers and leaving."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from cerchia_chassis.auth import CurrentUser, MaybeCurrentUser
from cerchia_chassis.domain.cursors import MAX_LIMIT
from cerchia_chassis.text import Line
from membership.domain.admission import hash_token
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import CHANGE, READ, problems
from membership.entrypoints.schemas_admission import (
    AdmissionOut,
    InvitationLinkOut,
    InvitationOut,
    InvitationPage,
    InvitationPreviewOut,
    Invite,
    InviteByLink,
    Join,
    SeatOfferOut,
    WaitlistOut,
)
from membership.entrypoints.schemas_communities import StandingOut
from membership.service import admission as use
from membership.service import invitations as inviting
from membership.service import waitlist

router = APIRouter(prefix="/api/v1", tags=["admission"])
COMMUNITY = "/communities/{community_id}"
Cursor = Annotated[Line | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.post(
    f"{COMMUNITY}/join",
    response_model=AdmissionOut,
    summary="Join an open community",
    responses=CHANGE,
)
async def join(community_id: str, body: Join, me: CurrentUser, deps: Deps) -> AdmissionOut:
    """Take a seat, or a place at the back of the waitlist when the community is full."""
    admission = await use.join(
        community_id,
        user_id=me.user_id,
        code_version=body.code_of_conduct_version,
        ports=deps.community,
    )
    return AdmissionOut.of(admission.membership, admission.position)


@router.post(f"{COMMUNITY}/leave", response_model=StandingOut, summary="Leave", responses=CHANGE)
async def leave(community_id: str, me: CurrentUser, deps: Deps) -> StandingOut:
    """Leave the community or its waitlist; the owner must transfer ownership first."""
    gone = await waitlist.leave(community_id, user_id=me.user_id, ports=deps.community)
    return StandingOut.of(gone, 0)


@router.post(
    f"{COMMUNITY}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationOut,
    summary="Invite by email",
    responses=CHANGE,
)
async def invite(community_id: str, body: Invite, me: CurrentUser, deps: Deps) -> InvitationOut:
    """Moderators only: a single-use, expiring link is emailed to the address."""
    invitation = await inviting.invite(
        community_id,
        email=str(body.email),
        ttl=body.ttl(),
        actor_id=me.user_id,
        ports=deps.community,
    )
    return InvitationOut.of(invitation)


@router.post(
    f"{COMMUNITY}/invitation-links",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationLinkOut,
    summary="Make an invitation link",
    responses=CHANGE,
)
async def invite_by_link(
    community_id: str, body: InviteByLink, me: CurrentUser, deps: Deps
) -> InvitationLinkOut:
    """Owners and moderators: an "anyone with the link" invitation admitting up to `max_uses`
    people until it expires or is revoked (`DELETE .../invitations/{id}`). The token is in
    this answer only; nothing is emailed."""
    invitation, token = await inviting.create_link(
        community_id,
        max_uses=body.max_uses,
        ttl=body.ttl(),
        actor_id=me.user_id,
        ports=deps.community,
    )
    return InvitationLinkOut.made(invitation, token)


@router.get(
    f"{COMMUNITY}/invitations",
    response_model=InvitationPage,
    summary="Invitations",
    responses=problems(400, 403, 404),
)
async def invitations(
    community_id: str, me: CurrentUser, deps: Deps, cursor: Cursor = None, limit: Limit = 20
) -> InvitationPage:
    """The community's invitations, oldest first (moderators only)."""
    page = await inviting.invitations_of(
        community_id, cursor=cursor, limit=limit, viewer_id=me.user_id, ports=deps.community
    )
    return InvitationPage.of(page)


@router.delete(
    f"{COMMUNITY}/invitations/{{invitation_id}}",
    response_model=InvitationOut,
    summary="Revoke an invitation",
    responses=CHANGE,
)
async def revoke(
    community_id: str, invitation_id: str, me: CurrentUser, deps: Deps
) -> InvitationOut:
    """Moderators only: the link stops working."""
    revoked = await inviting.revoke_invitation(
        community_id, invitation_id, actor_id=me.user_id, ports=deps.community
    )
    return InvitationOut.of(revoked)


@router.get(
    "/invitations/{token}",
    response_model=InvitationPreviewOut,
    summary="Read an invitation",
    responses=problems(404),
)
async def read_invitation(token: str, me: MaybeCurrentUser, deps: Deps) -> InvitationPreviewOut:
    """What the token opens, for whoever holds it (no sign-in needed): the community, with
    the code of conduct to accept, and when the invitation expires. 404
    `invitation-invalid` when used up, revoked or expired."""
    invitation, community = await inviting.preview_invitation(
        hash_token(token), ports=deps.community
    )
    return InvitationPreviewOut.of(invitation, community)


@router.post(
    "/invitations/{token}/accept",
    response_model=AdmissionOut,
    summary="Accept an invitation",
    responses=CHANGE,
)
async def accept_invitation(token: str, body: Join, me: CurrentUser, deps: Deps) -> AdmissionOut:
    """Use an invitation's token: join, or wait in line when full. Banned people cannot.

    An invitation sent by email is for the person who verified that address: anyone else gets
    403 `invitation-for-another-address`, and it stays usable by the person invited. A link
    works for whoever holds it, as many times as it admits people. A verified address is
    needed either way (403 `email-not-verified`)."""
    _, admission = await inviting.accept_invitation(
        hash_token(token),
        user_id=me.user_id,
        code_version=body.code_of_conduct_version,
        ports=deps.community,
    )
    return AdmissionOut.of(admission.membership, admission.position)


@router.get(
    f"{COMMUNITY}/waitlist",
    response_model=WaitlistOut,
    summary="The waitlist",
    responses=problems(403, 404),
)
async def waitlist_of(community_id: str, me: CurrentUser, deps: Deps) -> WaitlistOut:
    """The line in order (moderators only; everyone sees their own place in /me/communities)."""
    line = await waitlist.waitlist_of(community_id, viewer_id=me.user_id, ports=deps.community)
    return WaitlistOut.of(line)


@router.get(
    f"{COMMUNITY}/seat-offer", response_model=SeatOfferOut, summary="My seat offer", responses=READ
)
async def seat_offer(community_id: str, me: CurrentUser, deps: Deps) -> SeatOfferOut:
    """The seat held for you, if any."""
    standing = await waitlist.my_offer(community_id, user_id=me.user_id, ports=deps.community)
    return SeatOfferOut.of(standing)


@router.post(
    f"{COMMUNITY}/seat-offer/accept",
    response_model=AdmissionOut,
    summary="Take the seat",
    responses=CHANGE,
)
async def accept_offer(community_id: str, body: Join, me: CurrentUser, deps: Deps) -> AdmissionOut:
    """Become a member before the offer expires, accepting the current code of conduct."""
    member = await waitlist.accept_offer(
        community_id,
        user_id=me.user_id,
        code_version=body.code_of_conduct_version,
        ports=deps.community,
    )
    return AdmissionOut.of(member, None)


@router.post(
    f"{COMMUNITY}/seat-offer/decline",
    response_model=StandingOut,
    summary="Decline the seat",
    responses=CHANGE,
)
async def decline_offer(community_id: str, me: CurrentUser, deps: Deps) -> StandingOut:
    """Leave the line; the seat is offered to the next person."""
    closed = await waitlist.decline_offer(community_id, user_id=me.user_id, ports=deps.community)
    return StandingOut.of(closed, 0)
