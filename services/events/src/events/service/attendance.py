"""Check-in at the door: by a host, or by the attendee with the host's short code."""

from dataclasses import dataclass, replace
from datetime import datetime

from cerchia_chassis.ports import Session
from events.domain.attendance import code_matches, ensure_check_in_possible
from events.domain.errors import CheckInRefused, Forbidden, NotFound
from events.domain.rsvps import CheckInMethod
from events.service import announcements
from events.service.access import gathering_scope, managed_gathering
from events.service.ports import Ports


@dataclass(frozen=True)
class CheckIn:
    """A recorded check-in."""

    gathering_id: str
    user_id: str
    at: datetime
    method: CheckInMethod


@dataclass(frozen=True)
class CheckInCode:
    """What the host shows at the door: the code, and a QR code of ``payload``."""

    code: str
    payload: str
    qr_svg: str


async def _check_in(
    gathering_id: str,
    user_id: str,
    *,
    actor_id: str,
    method: CheckInMethod,
    now: datetime,
    ports: Ports,
) -> CheckIn:
    async def work(session: Session) -> CheckIn:
        gathering = await ports.gatherings.get(gathering_id, session)
        if gathering is None:
            raise NotFound("no such event")
        rsvp = await ports.rsvps.get(gathering_id, user_id, session)
        ensure_check_in_possible(gathering, rsvp, now=now)
        assert rsvp is not None  # ensured above
        await ports.rsvps.save(replace(rsvp, checked_in_at=now, check_in_method=method), session)
        await ports.outbox.add(
            session,
            announcements.checked_in(
                gathering, actor_id=actor_id, user_id=user_id, method=method, now=now
            ),
        )
        return CheckIn(gathering_id=gathering_id, user_id=user_id, at=now, method=method)

    checked = await ports.transactions.run(work)
    ports.outbox.committed()
    return checked


async def check_in_attendee(
    gathering_id: str, user_id: str, *, host_id: str, now: datetime, ports: Ports
) -> CheckIn:
    """A host checks a confirmed attendee in."""
    await managed_gathering(gathering_id, host_id, ports=ports)
    return await _check_in(
        gathering_id, user_id, actor_id=host_id, method="host", now=now, ports=ports
    )


async def check_in_with_code(
    gathering_id: str, code: str, *, user_id: str, now: datetime, ports: Ports
) -> CheckIn:
    """A confirmed attendee checks in with the code the host shows (or its QR code)."""
    scope = await gathering_scope(gathering_id, user_id, ports=ports)
    if not scope.viewer.member:
        raise Forbidden("only members can check in", code="not-a-member")
    if not code_matches(scope.gathering, code):
        raise CheckInRefused("that is not this event's check-in code")
    return await _check_in(
        gathering_id, user_id, actor_id=user_id, method="code", now=now, ports=ports
    )


async def check_in_code(gathering_id: str, user_id: str, *, ports: Ports) -> CheckInCode:
    """The code (and its QR code) a host shows at the door; hosts and moderators only."""
    scope = await managed_gathering(gathering_id, user_id, ports=ports)
    code = scope.gathering.check_in_code
    payload = f"cerchia:check-in:{gathering_id}:{code}"
    return CheckInCode(code=code, payload=payload, qr_svg=ports.qr_codes.svg(payload))
