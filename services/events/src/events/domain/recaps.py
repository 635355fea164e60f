"""Recaps: what hosts share after a gathering (notes and links)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from events.domain.errors import RecapRefused
from events.domain.gatherings import Gathering


@dataclass(frozen=True)
class RecapLink:
    """A link shared with a recap."""

    title: str
    url: str


@dataclass(frozen=True)
class Recap:
    """The published recap of a gathering; edits keep the id and bump the revision."""

    id: str
    gathering_id: str
    author_id: str
    notes: str
    links: tuple[RecapLink, ...]
    published_at: datetime
    revision: int = 1


def publish(
    gathering: Gathering,
    *,
    previous: Recap | None,
    author_id: str,
    notes: str,
    links: tuple[RecapLink, ...],
    now: datetime,
) -> Recap:
    """The first recap or its next revision; raise RecapRefused before the end or if cancelled."""
    if gathering.cancelled:
        raise RecapRefused("a cancelled event has no recap")
    if now < gathering.ends_at:
        raise RecapRefused("a recap is published after the event ends")
    return Recap(
        id=previous.id if previous else str(uuid.uuid4()),
        gathering_id=gathering.id,
        author_id=author_id,
        notes=notes,
        links=links,
        published_at=now,
        revision=previous.revision + 1 if previous else 1,
    )
