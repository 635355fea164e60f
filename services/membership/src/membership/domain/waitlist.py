"""The fair waitlist: first come, first offered; an offer holds a seat for a limited time."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_OFFER_TTL = timedelta(hours=48)


@dataclass(frozen=True)
class SeatOffer:
    """A seat held for one person until ``expires_at``."""

    id: str
    offered_at: datetime
    expires_at: datetime

    @classmethod
    def new(cls, *, now: datetime, ttl: timedelta) -> "SeatOffer":
        """An offer valid for ``ttl`` from ``now``."""
        if ttl <= timedelta(0):
            raise ValueError("an offer needs a positive time to live")
        return cls(id=str(uuid.uuid4()), offered_at=now, expires_at=now + ttl)

    def expired(self, now: datetime) -> bool:
        """Whether the offer lapsed (at ``expires_at`` exactly, it has)."""
        return now >= self.expires_at


@dataclass(frozen=True)
class Place:
    """Someone waiting, by the order in which they were admitted to the waitlist."""

    user_id: str
    sequence: int


def next_in_line(places: Iterable[Place]) -> Place | None:
    """Who gets the next free seat: the lowest sequence number, nobody else."""
    return min(places, key=lambda place: place.sequence, default=None)


def position(sequence: int, waiting: Iterable[int]) -> int:
    """1-based position of ``sequence`` among the sequences still waiting."""
    return 1 + sum(1 for other in waiting if other < sequence)
