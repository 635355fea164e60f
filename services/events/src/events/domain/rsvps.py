"""RSVP rules: who gets a seat, who waits (FIFO), who is promoted when a seat frees up."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from events.domain.errors import RsvpClosed
from events.domain.gatherings import Gathering

Answer = Literal["going", "interested", "not_going"]
RsvpStatus = Literal["going", "waitlisted", "interested", "not_going"]
CheckInMethod = Literal["host", "code"]


@dataclass(frozen=True)
class Rsvp:
    """One person's answer to one gathering."""

    gathering_id: str
    user_id: str
    status: RsvpStatus
    responded_at: datetime
    #: Waitlist ticket (FIFO order) while waitlisted.
    ticket: int | None = None
    checked_in_at: datetime | None = None
    check_in_method: CheckInMethod | None = None


@dataclass(frozen=True)
class Outcome:
    """What one RSVP does to the gathering's counters and to the person's status."""

    status: RsvpStatus
    previous: RsvpStatus | None
    going_delta: int = 0
    waitlist_delta: int = 0
    takes_ticket: bool = False

    @property
    def unchanged(self) -> bool:
        """The answer repeats the current one: nothing to store or announce."""
        return self.status == self.previous

    @property
    def frees_seat(self) -> bool:
        """A confirmed attendee withdrew: the head of the waitlist may be promoted."""
        return self.going_delta < 0


def ensure_open(gathering: Gathering, answer: Answer, *, now: datetime) -> None:
    """Raise RsvpClosed for a cancelled or started gathering, or a late "going".

    Withdrawing stays possible after the deadline until the start: a freed seat goes to the
    waitlist, which is better than a no-show.
    """
    if gathering.cancelled:
        raise RsvpClosed("the event is cancelled")
    if now >= gathering.starts_at:
        raise RsvpClosed("the event has already started")
    if answer == "going" and now >= gathering.rsvp_closes_at():
        raise RsvpClosed("the RSVP deadline has passed")


def decide(answer: Answer, *, previous: RsvpStatus | None, gathering: Gathering) -> Outcome:
    """The outcome of ``answer`` given the person's current status and the free seats.

    Asking to go again while going or waitlisted keeps the seat or the place in line.
    """
    if answer == "going":
        if previous in ("going", "waitlisted"):
            return Outcome(status=previous, previous=previous)
        seats = gathering.seats_left()
        if seats is None or seats > 0:
            return Outcome(status="going", previous=previous, going_delta=1)
        return Outcome(status="waitlisted", previous=previous, waitlist_delta=1, takes_ticket=True)
    return Outcome(
        status=answer,
        previous=previous,
        going_delta=-1 if previous == "going" else 0,
        waitlist_delta=-1 if previous == "waitlisted" else 0,
    )


def promotable(gathering: Gathering, *, now: datetime) -> int:
    """How many people to move from the waitlist to a seat now.

    Promotion goes on after the RSVP deadline (the waitlisted asked in time) but not once the
    gathering has started or for a cancelled one.
    """
    if gathering.cancelled or now >= gathering.starts_at or gathering.waitlist_count == 0:
        return 0
    seats = gathering.seats_left()
    if seats is None:
        return gathering.waitlist_count
    return min(seats, gathering.waitlist_count)
