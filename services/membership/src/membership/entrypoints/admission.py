"""HTTP routes of admission: join, invitations, the waitlist, seat offers and leaving."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from cerchia_chassis.auth import CurrentUser
from membership.domain.admission import hash_token
from membership.entrypoints.admission_schemas import (
    AdmissionOut,
    InvitationOut,
    InvitationPage,
    Invite,
    Join,
    SeatOfferOut,
    WaitlistEntry,
    WaitlistOut,
)
from membership.entrypoints.community_schemas import StandingOut
from membership.entrypoints.refusals import (
    CHANGE,
    READ,
    Ports,
    encode_cursor,
    problems,
    text_cursor,
)
from membership.service import admission as use
from membership.service import invitations as inviting
from membership.service import waitlist

router = APIRouter(prefix="/api/v1", tags=["admission"])
COMMUNITY = "/communities/{community_id}"
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=100)]


@router.post(
    f"{COMMUNITY}/join",
    response_model=AdmissionOut,
    summary="Join an open community",
    responses=CHANGE,
)
async def join(community_id: str, body: Join, me: CurrentUser, ports: Ports) -> AdmissionOut:
    """Take a seat, or a place at the back of the waitlist when the community is full."""
    admission = await use.join(
        community_id, user_id=me.user_id, code_version=body.code_of_conduct_version, ports=ports
    )
    return AdmissionOut.of(admission.membership, admission.position)


@router.post(f"{COMMUNITY}/leave", response_model=StandingOut, summary="Leave", responses=CHANGE)
async def leave(community_id: str, me: CurrentUser, ports: Ports) -> StandingOut:
    """Leave the community or its waitlist; the owner must transfer ownership first."""
    gone = await waitlist.leave(community_id, user_id=me.user_id, ports=ports)
    return StandingOut.of(gone, 0)


@router.post(
    f"{COMMUNITY}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationOut,
    summary="Invite by email",
    responses=CHANGE,
)
async def invite(community_id: str, body: Invite, me: CurrentUser, ports: Ports) -> InvitationOut:
    """Moderators only: a single-use, expiring link is emailed to the address."""
    ttl = None if body.expires_in_hours is None else timedelta(hours=body.expires_in_hours)
    invitation = await inviting.invite(
        community_id, email=str(body.email), ttl=ttl, actor_id=me.user_id, ports=ports
    )
    return InvitationOut.of(invitation)


@router.get(
    f"{COMMUNITY}/invitations",
    response_model=InvitationPage,
    summary="Invitations",
    responses=problems(400, 403, 404),
)
async def invitations(
    community_id: str, me: CurrentUser, ports: Ports, cursor: Cursor = None, limit: Limit = 20
) -> InvitationPage:
    """The community's invitations, oldest first (moderators only)."""
    found = await inviting.invitations_of(
        community_id, after=text_cursor(cursor), limit=limit + 1, viewer_id=me.user_id, ports=ports
    )
    items = found[:limit]
    return InvitationPage(
        items=[InvitationOut.of(i) for i in items],
        next_cursor=encode_cursor(items[-1].id) if len(found) > limit else None,
    )


@router.delete(
    f"{COMMUNITY}/invitations/{{invitation_id}}",
    response_model=InvitationOut,
    summary="Revoke an invitation",
    responses=CHANGE,
)
async def revoke(
    community_id: str, invitation_id: str, me: CurrentUser, ports: Ports
) -> InvitationOut:
    """Moderators only: the link stops working."""
    revoked = await inviting.revoke_invitation(
        community_id, invitation_id, actor_id=me.user_id, ports=ports
    )
    return InvitationOut.of(revoked)


@router.post(
    "/invitations/{token}/accept",
    response_model=AdmissionOut,
    summary="Accept an invitation",
    responses=CHANGE,
)
async def accept_invitation(token: str, body: Join, me: CurrentUser, ports: Ports) -> AdmissionOut:
    """Use the emailed token once: join, or wait in line when full. Banned people cannot."""
    _, admission = await inviting.accept_invitation(
        hash_token(token),
        user_id=me.user_id,
        code_version=body.code_of_conduct_version,
        ports=ports,
    )
    return AdmissionOut.of(admission.membership, admission.position)


@router.get(
    f"{COMMUNITY}/waitlist",
    response_model=WaitlistOut,
    summary="The waitlist",
    responses=problems(403, 404),
)
async def waitlist_of(community_id: str, me: CurrentUser, ports: Ports) -> WaitlistOut:
    """The line in order (moderators only; everyone sees their own place in /me/communities)."""
    line = await waitlist.waitlist_of(community_id, viewer_id=me.user_id, ports=ports)
    offered = [m for m in line if m.state == "offered"]
    waiting = [m for m in line if m.state == "waitlisted"]
    return WaitlistOut(
        items=[
            WaitlistEntry(
                user_id=m.user_id,
                position=i,
                state="offered" if m.offer else "waitlisted",
                waiting_since=m.since,
                seat_offer_expires_at=m.offer.expires_at if m.offer else None,
            )
            for i, m in enumerate([*offered, *waiting], start=1)
        ]
    )


@router.get(
    f"{COMMUNITY}/seat-offer", response_model=SeatOfferOut, summary="My seat offer", responses=READ
)
async def seat_offer(community_id: str, me: CurrentUser, ports: Ports) -> SeatOfferOut:
    """The seat held for you, if any."""
    standing = await waitlist.my_offer(community_id, user_id=me.user_id, ports=ports)
    assert standing.offer is not None
    return SeatOfferOut(
        community_id=standing.community_id,
        offer_id=standing.offer.id,
        offered_at=standing.offer.offered_at,
        expires_at=standing.offer.expires_at,
    )


@router.post(
    f"{COMMUNITY}/seat-offer/accept",
    response_model=AdmissionOut,
    summary="Take the seat",
    responses=CHANGE,
)
async def accept_offer(
    community_id: str, body: Join, me: CurrentUser, ports: Ports
) -> AdmissionOut:
    """Become a member before the offer expires, accepting the current code of conduct."""
    member = await waitlist.accept_offer(
        community_id, user_id=me.user_id, code_version=body.code_of_conduct_version, ports=ports
    )
    return AdmissionOut.of(member, None)


@router.post(
    f"{COMMUNITY}/seat-offer/decline",
    response_model=StandingOut,
    summary="Decline the seat",
    responses=CHANGE,
)
async def decline_offer(community_id: str, me: CurrentUser, ports: Ports) -> StandingOut:
    """Leave the line; the seat is offered to the next person."""
    closed = await waitlist.decline_offer(community_id, user_id=me.user_id, ports=ports)
    return StandingOut.of(closed, 0)
