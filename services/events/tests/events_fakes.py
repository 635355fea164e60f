"""In-memory ports for the events use cases, their state on one ``MemoryStore``.

``World`` holds community ``c`` with a host and two members, and every port of ``Ports`` over an
``EventsStore``; its transactions are the chassis's all-or-nothing fakes, so a refused command
provably leaves the store as it was.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from cerchia_chassis.domain.community import (
    CommunityState,
    MemberState,
    Standing,
)
from cerchia_chassis.testing import (
    CommunityStore,
    FakeCommunityProjection,
    FakeInbox,
    FakeOutbox,
    FakeTransactions,
)
from events.adapters.ical import ICalendarFiles
from events.adapters.qr import SegnoQrCodes
from events.domain.gatherings import Gathering
from events.domain.recaps import Recap
from events.domain.reminders import ReminderJob
from events.domain.rsvps import Rsvp, RsvpStatus
from events.domain.series import Series
from events.service.localization import LocalizedOutbox
from events.service.ports import After, Ports

T = TypeVar("T")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Claim:
    """A reminder job and its claim, as the Mongo store keeps them."""

    job: ReminderJob
    state: str = "pending"
    owner: str | None = None
    until: datetime | None = None


@dataclass
class EventsStore(CommunityStore):
    """Everything the events service stores."""

    gatherings: dict[str, Gathering] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    rsvps: dict[tuple[str, str], Rsvp] = field(default_factory=dict)
    reminders: dict[str, Claim] = field(default_factory=dict)
    recaps: dict[str, Recap] = field(default_factory=dict)
    feeds: dict[str, str] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)


class Gatherings:
    def __init__(self, store: EventsStore) -> None:
        self.store = store

    async def add(self, gatherings: Sequence[Gathering], session: Any) -> None:
        for g in gatherings:
            assert g.id not in self.store.gatherings
            self.store.gatherings[g.id] = g

    async def get(self, gathering_id: str, session: Any = None) -> Gathering | None:
        return self.store.gatherings.get(gathering_id)

    async def save(self, gathering: Gathering, session: Any) -> None:
        assert gathering.id in self.store.gatherings
        self.store.gatherings[gathering.id] = gathering

    async def in_community(
        self,
        community_id: str,
        *,
        public_only: bool,
        since: datetime | None,
        after: After | None,
        limit: int,
    ) -> list[Gathering]:
        found = sorted(
            (
                g
                for g in self.store.gatherings.values()
                if g.community_id == community_id
                and (not public_only or g.details.visibility == "public")
                and (since is None or g.ends_at >= since)
                and (after is None or (g.starts_at, g.id) > (after.starts_at, after.id))
            ),
            key=lambda g: (g.starts_at, g.id),
        )
        return found[:limit]

    async def in_series(self, series_id: str, session: Any) -> list[Gathering]:
        found = [g for g in self.store.gatherings.values() if g.series_id == series_id]
        return sorted(found, key=lambda g: (g.slot, g.id))

    async def involving(self, user_id: str, session: Any) -> list[Gathering]:
        return [
            g
            for g in self.store.gatherings.values()
            if user_id in g.details.host_ids or g.created_by == user_id
        ]

    async def since(
        self, ids: Sequence[str], *, community_ids: Sequence[str], ended_after: datetime
    ) -> list[Gathering]:
        found = [
            g
            for g in self.store.gatherings.values()
            if g.id in ids and g.community_id in community_ids and g.ends_at >= ended_after
        ]
        return sorted(found, key=lambda g: g.starts_at)


class SeriesStore:
    def __init__(self, store: EventsStore) -> None:
        self.store = store

    async def get(self, series_id: str, session: Any = None) -> Series | None:
        return self.store.series.get(series_id)

    async def save(self, series: Series, session: Any) -> None:
        self.store.series[series.id] = series


class Rsvps:
    def __init__(self, store: EventsStore) -> None:
        self.store = store

    async def get(self, gathering_id: str, user_id: str, session: Any = None) -> Rsvp | None:
        return self.store.rsvps.get((gathering_id, user_id))

    async def save(self, rsvp: Rsvp, session: Any) -> None:
        self.store.rsvps[rsvp.gathering_id, rsvp.user_id] = rsvp

    async def waitlist(
        self, gathering_id: str, *, limit: int | None = None, session: Any = None
    ) -> list[Rsvp]:
        line = sorted(
            (
                r
                for r in self.store.rsvps.values()
                if r.gathering_id == gathering_id and r.status == "waitlisted"
            ),
            key=lambda r: r.ticket or 0,
        )
        return line[:limit] if limit is not None else line

    async def position(self, rsvp: Rsvp, session: Any = None) -> int:
        return [r.user_id for r in await self.waitlist(rsvp.gathering_id)].index(rsvp.user_id) + 1

    async def with_status(
        self,
        gathering_id: str,
        statuses: Sequence[RsvpStatus],
        *,
        after_user: str | None = None,
        limit: int | None = None,
        session: Any = None,
    ) -> list[Rsvp]:
        found = sorted(
            (
                r
                for r in self.store.rsvps.values()
                if r.gathering_id == gathering_id
                and r.status in statuses
                and (after_user is None or r.user_id > after_user)
            ),
            key=lambda r: r.user_id,
        )
        return found[:limit] if limit is not None else found

    async def of_user(
        self, user_id: str, statuses: Sequence[RsvpStatus], session: Any = None
    ) -> list[Rsvp]:
        return [
            r for r in self.store.rsvps.values() if r.user_id == user_id and r.status in statuses
        ]

    async def anonymize(self, user_id: str, replacement: str, session: Any) -> None:
        for key, rsvp in list(self.store.rsvps.items()):
            if rsvp.user_id == user_id:
                del self.store.rsvps[key]
                self.store.rsvps[rsvp.gathering_id, replacement] = replace(
                    rsvp, user_id=replacement
                )


class Reminders:
    """Jobs with the claim/lease/settle semantics of the Mongo store."""

    def __init__(self, store: EventsStore) -> None:
        self.store = store

    async def replace_for(
        self, gathering_id: str, jobs: Sequence[ReminderJob], session: Any
    ) -> None:
        for job_id, claim in list(self.store.reminders.items()):
            if claim.job.gathering_id == gathering_id and claim.state in ("pending", "claimed"):
                del self.store.reminders[job_id]
        for job in jobs:
            self.store.reminders[job.id] = Claim(job)

    async def claim_due(
        self, *, now: datetime, lease: timedelta, owner: str, limit: int
    ) -> list[ReminderJob]:
        claimed = []
        for claim in sorted(self.store.reminders.values(), key=lambda c: c.job.due_at):
            due = claim.state == "pending" and claim.job.due_at <= now
            expired = claim.state == "claimed" and claim.until is not None and claim.until < now
            if (due or expired) and len(claimed) < limit:
                claim.state, claim.owner, claim.until = "claimed", owner, now + lease
                claimed.append(claim.job)
        return claimed

    async def complete(self, job_id: str, *, owner: str, outcome: str, session: Any) -> bool:
        claim = self.store.reminders.get(job_id)
        if claim is None or claim.state != "claimed" or claim.owner != owner:
            return False
        claim.state = outcome
        return True


class Recaps:
    def __init__(self, store: EventsStore) -> None:
        self.store = store

    async def get(self, gathering_id: str, session: Any = None) -> Recap | None:
        return self.store.recaps.get(gathering_id)

    async def save(self, recap: Recap, session: Any) -> None:
        self.store.recaps[recap.gathering_id] = recap

    async def replace_author(self, author_id: str, replacement: str, session: Any) -> None:
        for key, recap in list(self.store.recaps.items()):
            if recap.author_id == author_id:
                self.store.recaps[key] = replace(recap, author_id=replacement)


class FeedTokens:
    def __init__(self, store: EventsStore) -> None:
        self.store = store

    async def issue(self, user_id: str, token_hash: str, *, now: datetime) -> None:
        self.store.feeds[user_id] = token_hash

    async def revoke(self, user_id: str, session: Any = None) -> bool:
        return self.store.feeds.pop(user_id, None) is not None

    async def user_for(self, token_hash: str) -> str | None:
        return next((u for u, h in self.store.feeds.items() if h == token_hash), None)


class Zones:
    def __init__(self, store: EventsStore) -> None:
        self.store = store

    async def of(self, user_ids: Sequence[str], session: Any = None) -> dict[str, str]:
        return {u: self.store.zones[u] for u in user_ids if u in self.store.zones}

    async def put(self, user_id: str, time_zone: str, session: Any) -> None:
        self.store.zones[user_id] = time_zone

    async def forget(self, user_id: str, session: Any) -> None:
        self.store.zones.pop(user_id, None)


class World:
    """Every port in memory, with a host and members in community ``c``."""

    def __init__(self, *, visibility: str = "public", members: Iterable[str] = ()) -> None:
        self.store = EventsStore()
        self.store.communities["c"] = CommunityState("c", "Lettori", visibility)
        for user_id in ("host", "ada", "bo", *members):
            self.join("c", user_id)
        self.transactions = FakeTransactions(self.store)
        self.sent = FakeOutbox(self.store)
        zones = Zones(self.store)
        self.gatherings = Gatherings(self.store)
        self.rsvps = Rsvps(self.store)
        self.reminders = Reminders(self.store)
        self.ports = Ports(
            transactions=self.transactions,
            outbox=LocalizedOutbox(self.sent, zones),
            inbox=FakeInbox(self.store, self.transactions),
            directory=FakeCommunityProjection(self.store),
            gatherings=self.gatherings,
            series=SeriesStore(self.store),
            rsvps=self.rsvps,
            reminders=self.reminders,
            recaps=Recaps(self.store),
            feeds=FeedTokens(self.store),
            zones=zones,
            calendar_files=ICalendarFiles(),
            qr_codes=SegnoQrCodes(),
            reminder_offsets=(timedelta(hours=24),),
        )

    def join(self, community_id: str, user_id: str, role: str = "member") -> None:
        """Make ``user_id`` an active member (as a projected ``MemberJoined`` would)."""
        place = MemberState(community_id, user_id, role=role, standing=Standing.ACTIVE)
        self.store.memberships[community_id, user_id] = place

    def planned(self, gathering_id: str) -> list[ReminderJob]:
        """The gathering's reminders not yet settled, by due time."""
        return sorted(
            (
                c.job
                for c in self.store.reminders.values()
                if c.job.gathering_id == gathering_id and c.state in ("pending", "claimed")
            ),
            key=lambda job: job.due_at,
        )

    def states(self) -> dict[str, str]:
        """Each reminder job's state, by gathering id (one job per gathering in these tests)."""
        return {c.job.gathering_id: c.state for c in self.store.reminders.values()}

    def published(self, kind: type[T]) -> list[T]:
        return [e for e in self.store.events if isinstance(e, kind)]
