"""Check-in rules: who can be checked in, when, and with which code."""

import hmac
from datetime import datetime, timedelta

from events.domain.errors import CheckInRefused
from events.domain.gatherings import Gathering
from events.domain.rsvps import Rsvp

OPENS_BEFORE_START = timedelta(hours=1)
CLOSES_AFTER_END = timedelta(hours=2)


def ensure_check_in_possible(gathering: Gathering, rsvp: Rsvp | None, *, now: datetime) -> None:
    """Raise CheckInRefused unless ``rsvp`` holds a seat and the door is open."""
    if gathering.cancelled:
        raise CheckInRefused("the event is cancelled")
    if now < gathering.starts_at - OPENS_BEFORE_START:
        raise CheckInRefused("check-in opens one hour before the start")
    if now > gathering.ends_at + CLOSES_AFTER_END:
        raise CheckInRefused("check-in closed two hours after the end")
    if rsvp is None or rsvp.status != "going":
        raise CheckInRefused("only confirmed attendees can be checked in")
    if rsvp.checked_in_at is not None:
        raise CheckInRefused("already checked in")


def code_matches(gathering: Gathering, code: str) -> bool:
    """Constant-time, case-insensitive comparison with the host's code."""
    return hmac.compare_digest(gathering.check_in_code.encode(), code.strip().upper().encode())
