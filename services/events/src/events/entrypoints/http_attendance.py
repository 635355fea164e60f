"""HTTP routes for RSVPs, the waitlist, attendees, check-in and recaps."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.text import Line
from events.entrypoints.deps import Deps
from events.entrypoints.presenters import attendee_page_out, check_in_out, recap_out
from events.entrypoints.schemas_attendance import (
    AttendeePage,
    CheckInCodeOut,
    CheckInOut,
    CheckInRequest,
    RecapOut,
    RecapRequest,
    RsvpOut,
    RsvpRequest,
    WaitlistEntryOut,
    WaitlistOut,
)
from events.service import attendance, queries, recapping, rsvp

router = APIRouter(prefix="/api/v1/events/{event_id}", tags=["attendance"])

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Sign in required"},
    403: {"description": "Not a member, or not a host/moderator"},
    404: {"description": "No such event"},
}


@router.put(
    "/rsvp",
    response_model=RsvpOut,
    summary="RSVP: going, interested or not going",
    responses={**_PROBLEMS, 409: {"description": "RSVPs are closed"}},
)
async def answer(event_id: str, body: RsvpRequest, me: CurrentUser, deps: Deps) -> RsvpOut:
    """Going takes a seat, or a place on the FIFO waitlist when full; withdrawing frees the
    seat for the first in line, who is promoted automatically."""
    result = await rsvp.respond(
        event_id, body.answer, user_id=me.user_id, now=datetime.now(UTC), ports=deps.ports
    )
    return RsvpOut(
        event_id=event_id,
        user_id=me.user_id,
        status=result.rsvp.status,
        waitlist_position=result.position,
        responded_at=result.rsvp.responded_at,
        going_count=result.gathering.going_count,
        seats_left=result.gathering.seats_left(),
    )


@router.get(
    "/waitlist",
    response_model=WaitlistOut,
    summary="The waitlist, in order (hosts)",
    responses=_PROBLEMS,
)
async def waitlist(event_id: str, me: CurrentUser, deps: Deps) -> WaitlistOut:
    """Hosts and moderators see who waits, first come first served."""
    waiting = await queries.waitlist(event_id, me.user_id, ports=deps.ports)
    return WaitlistOut(
        items=[
            WaitlistEntryOut(user_id=r.user_id, position=i, since=r.responded_at)
            for i, r in enumerate(waiting, start=1)
        ]
    )


@router.get(
    "/attendees",
    response_model=AttendeePage,
    summary="Who is going (members); attendance (hosts)",
    responses={**_PROBLEMS, 400: {"description": "The cursor is not valid"}},
)
async def attendees(
    event_id: str,
    me: CurrentUser,
    deps: Deps,
    cursor: Annotated[Line | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> AttendeePage:
    """Confirmed attendees; hosts also see who checked in and how."""
    found = await queries.attendees(
        event_id, me.user_id, cursor=cursor, limit=limit, ports=deps.ports
    )
    return attendee_page_out(found)


@router.get(
    "/check-in/code",
    response_model=CheckInCodeOut,
    summary="The check-in code and its QR code (hosts)",
    responses=_PROBLEMS,
)
async def check_in_code(event_id: str, me: CurrentUser, deps: Deps) -> CheckInCodeOut:
    """What the host shows at the door; attendees enter the code or scan the QR code."""
    shown = await attendance.check_in_code(event_id, me.user_id, ports=deps.ports)
    return CheckInCodeOut(code=shown.code, payload=shown.payload, qr_svg=shown.qr_svg)


@router.post(
    "/check-in",
    response_model=CheckInOut,
    summary="Check yourself in with the host's code",
    responses={**_PROBLEMS, 409: {"description": "Wrong code, not going, or outside the window"}},
)
async def check_in_self(
    event_id: str, body: CheckInRequest, me: CurrentUser, deps: Deps
) -> CheckInOut:
    """Confirmed attendees check in from one hour before the start to two hours after the end."""
    done = await attendance.check_in_with_code(
        event_id, body.code, user_id=me.user_id, now=datetime.now(UTC), ports=deps.ports
    )
    return check_in_out(done)


@router.post(
    "/attendees/{user_id}/check-in",
    response_model=CheckInOut,
    summary="Check an attendee in (hosts)",
    responses={**_PROBLEMS, 409: {"description": "Not going, or outside the window"}},
)
async def check_in_attendee(event_id: str, user_id: str, me: CurrentUser, deps: Deps) -> CheckInOut:
    """Hosts check confirmed attendees in at the door."""
    done = await attendance.check_in_attendee(
        event_id, user_id, host_id=me.user_id, now=datetime.now(UTC), ports=deps.ports
    )
    return check_in_out(done)


@router.put(
    "/recap",
    response_model=RecapOut,
    summary="Publish or revise the recap (hosts, after the event)",
    responses={**_PROBLEMS, 409: {"description": "Not over yet, or cancelled"}},
)
async def publish_recap(event_id: str, body: RecapRequest, me: CurrentUser, deps: Deps) -> RecapOut:
    """The recap becomes a linked discussion thread in the community."""
    recap = await recapping.publish_recap(
        event_id,
        author_id=me.user_id,
        notes=body.notes,
        links=body.recap_links(),
        now=datetime.now(UTC),
        ports=deps.ports,
    )
    return recap_out(recap)
