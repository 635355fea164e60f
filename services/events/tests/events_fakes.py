"""In-memory ports for the events use cases: a community, its gatherings, RSVPs and outbox."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from cerchia_contracts.catalog import AnyEvent
from events.domain.access import Community, CommunityVisibility, Role
from events.domain.gatherings import Gathering
from events.domain.reminders import ReminderJob
from events.domain.rsvps import Rsvp, RsvpStatus
from events.domain.series import Series
from events.service.localization import LocalizedOutbox
from events.service.scheduling import Stores

T = TypeVar("T")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Gatherings:
    def __init__(self) -> None:
        self.items: dict[str, Gathering] = {}

    async def add(self, gatherings: Sequence[Gathering], session: Any) -> None:
        for g in gatherings:
            assert g.id not in self.items
            self.items[g.id] = g

    async def get(self, gathering_id: str, session: Any = None) -> Gathering | None:
        return self.items.get(gathering_id)

    async def save(self, gathering: Gathering, session: Any) -> None:
        assert gathering.id in self.items
        self.items[gathering.id] = gathering

    async def in_series(self, series_id: str, session: Any) -> list[Gathering]:
        found = [g for g in self.items.values() if g.series_id == series_id]
        return sorted(found, key=lambda g: (g.slot, g.id))


class SeriesStore:
    def __init__(self) -> None:
        self.items: dict[str, Series] = {}

    async def get(self, series_id: str, session: Any = None) -> Series | None:
        return self.items.get(series_id)

    async def save(self, series: Series, session: Any) -> None:
        self.items[series.id] = series


class Rsvps:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Rsvp] = {}

    async def get(self, gathering_id: str, user_id: str, session: Any = None) -> Rsvp | None:
        return self.items.get((gathering_id, user_id))

    async def save(self, rsvp: Rsvp, session: Any) -> None:
        self.items[rsvp.gathering_id, rsvp.user_id] = rsvp

    async def waitlist(
        self, gathering_id: str, *, limit: int | None = None, session: Any = None
    ) -> list[Rsvp]:
        line = sorted(
            (r for r in self.items.values() if r.gathering_id == gathering_id and r.ticket),
            key=lambda r: r.ticket or 0,
        )
        return line[:limit] if limit is not None else line

    async def position(self, rsvp: Rsvp, session: Any = None) -> int:
        return [r.user_id for r in await self.waitlist(rsvp.gathering_id)].index(rsvp.user_id) + 1

    async def with_status(
        self, gathering_id: str, statuses: Sequence[RsvpStatus], **_: Any
    ) -> list[Rsvp]:
        return [
            r
            for r in self.items.values()
            if r.gathering_id == gathering_id and r.status in statuses
        ]


class Reminders:
    def __init__(self) -> None:
        self.jobs: dict[str, list[ReminderJob]] = {}

    async def replace_for(
        self, gathering_id: str, jobs: Sequence[ReminderJob], session: Any
    ) -> None:
        self.jobs[gathering_id] = list(jobs)


@dataclass
class Directory:
    community_id: str = "c"
    visibility: CommunityVisibility = "public"
    members: dict[str, Role] = field(default_factory=dict)

    async def community(self, community_id: str) -> Community | None:
        if community_id != self.community_id:
            return None
        return Community(community_id, "Lettori", self.visibility)

    async def role(self, community_id: str, user_id: str) -> Role | None:
        return self.members.get(user_id) if community_id == self.community_id else None

    async def roles(self, community_id: str, user_ids: Sequence[str]) -> dict[str, Role]:
        return {u: self.members[u] for u in user_ids if u in self.members}


class Outbox:
    def __init__(self) -> None:
        self.events: list[AnyEvent] = []

    async def add(self, session: Any, *events: AnyEvent) -> None:
        self.events.extend(events)

    def committed(self) -> None:
        pass


class Zones:
    def __init__(self, known: dict[str, str] | None = None) -> None:
        self.known = dict(known or {})

    async def of(self, user_ids: Sequence[str], session: Any = None) -> dict[str, str]:
        return {u: self.known[u] for u in user_ids if u in self.known}

    async def put(self, user_id: str, time_zone: str, session: Any) -> None:
        self.known[user_id] = time_zone

    async def forget(self, user_id: str, session: Any) -> None:
        self.known.pop(user_id, None)


class Transactions:
    async def run(self, work: Callable[[Any], Awaitable[T]]) -> T:
        return await work(None)


@dataclass
class World:
    """Every port in memory, with a host and members in community ``c``."""

    gatherings: Gatherings = field(default_factory=Gatherings)
    series: SeriesStore = field(default_factory=SeriesStore)
    rsvps: Rsvps = field(default_factory=Rsvps)
    reminders: Reminders = field(default_factory=Reminders)
    directory: Directory = field(default_factory=Directory)
    sent: Outbox = field(default_factory=Outbox)
    zones: Zones = field(default_factory=Zones)

    def __post_init__(self) -> None:
        self.directory.members.update({"host": "member", "ada": "member", "bo": "member"})

    @property
    def stores(self) -> Stores:
        return Stores(
            gatherings=self.gatherings,  # type: ignore[arg-type]
            series=self.series,
            rsvps=self.rsvps,  # type: ignore[arg-type]
            reminders=self.reminders,  # type: ignore[arg-type]
            directory=self.directory,  # type: ignore[arg-type]
            outbox=LocalizedOutbox(self.sent, self.zones),
            transactions=Transactions(),
            reminder_offsets=(timedelta(hours=24),),
        )

    def published(self, kind: type[T]) -> list[T]:
        return [e for e in self.sent.events if isinstance(e, kind)]
