"""In-memory fakes of the community ports, behaving like the MongoDB adapters they stand for."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cerchia_chassis.domain.errors import Conflict
from cerchia_chassis.testing import MemoryStore
from membership.domain.admission import Application, ApplicationStatus, Invitation
from membership.domain.audit import AuditEntry
from membership.domain.communities import Community, Seats
from membership.domain.discovery import search_counts
from membership.domain.introductions import Introduction
from membership.domain.memberships import Membership
from membership.domain.public_profiles import PublicProfile


@dataclass
class Store(MemoryStore):
    """Every fake's state, so a failed unit of work rolls back as a whole."""

    communities: dict[str, Community] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    memberships: dict[tuple[str, str], Membership] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    introductions: dict[str, Introduction] = field(default_factory=dict)
    profiles: dict[str, PublicProfile] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    unverified: set[str] = field(default_factory=set)


class FakeCommunities:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, community: Community, session: Any) -> None:
        if any(c.details.slug == community.details.slug for c in self.store.communities.values()):
            raise Conflict("taken", code="slug-taken")
        self.store.communities[community.id] = community
        self.store.sequences[community.id] = 0

    async def get(self, community_id: str, session: Any = None) -> Community | None:
        return self.store.communities.get(community_id)

    async def find(self, id_or_slug: str) -> Community | None:
        return next(
            (c for c in self.store.communities.values() if id_or_slug in (c.id, c.details.slug)),
            None,
        )

    async def save(self, community: Community, session: Any) -> None:
        # Like the adapter: the member count moves only by take_seat and adjust.
        members = self.store.communities[community.id].seats.members
        seats = Seats(community.seats.capacity, members, community.seats.free)
        self.store.communities[community.id] = replace(community, seats=seats)

    async def take_seat(self, community_id: str, session: Any, *, member: bool) -> bool:
        c = self.store.communities[community_id]
        if c.seats.free <= 0:
            return False
        seats = Seats(c.seats.capacity, c.seats.members + int(member), c.seats.free - 1)
        self.store.communities[community_id] = replace(c, seats=seats)
        return True

    async def adjust(
        self, community_id: str, session: Any, *, members: int = 0, free: int = 0
    ) -> None:
        c = self.store.communities[community_id]
        seats = Seats(c.seats.capacity, c.seats.members + members, c.seats.free + free)
        self.store.communities[community_id] = replace(c, seats=seats)

    async def next_sequence(self, community_id: str, session: Any) -> int:
        self.store.sequences[community_id] += 1
        return self.store.sequences[community_id]

    async def listed(
        self, *, after: str | None, limit: int, tag: str | None, language: str | None
    ) -> list[Community]:
        found = sorted(
            (
                c
                for c in self.store.communities.values()
                if c.details.visibility == "public"
                and not c.archived
                and (after is None or c.details.slug > after)
                and (tag is None or tag in c.details.tags)
                and (language is None or c.details.language == language)
            ),
            key=lambda c: c.details.slug,
        )
        return found[:limit]

    def _listed(self) -> list[Community]:
        return [
            c
            for c in self.store.communities.values()
            if c.details.visibility == "public" and not c.archived
        ]

    async def matching(
        self, terms: Sequence[str], *, tag: str | None, language: str | None, limit: int
    ) -> list[tuple[Community, dict[str, int]]]:
        found = [
            (c, counts)
            for c in self._listed()
            if set(terms) & set(counts := search_counts(c.details))
            and (tag is None or tag in c.details.tags)
            and (language is None or c.details.language == language)
        ]
        return found[:limit]

    async def count_listed(self) -> int:
        return len(self._listed())

    async def by_ids(self, ids: Sequence[str]) -> list[Community]:
        return [self.store.communities[i] for i in ids if i in self.store.communities]


class FakeMemberships:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _all(self, **match: Any) -> list[Membership]:
        return [
            m
            for m in self.store.memberships.values()
            if all(getattr(m, k) == v for k, v in match.items())
        ]

    async def get(self, community_id: str, user_id: str, session: Any = None) -> Membership | None:
        return self.store.memberships.get((community_id, user_id))

    async def put(self, membership: Membership, session: Any) -> None:
        self.store.memberships[(membership.community_id, membership.user_id)] = membership

    async def head(self, community_id: str, session: Any) -> Membership | None:
        waiting = self._all(community_id=community_id, state="waitlisted")
        return min(waiting, key=lambda m: m.sequence or 0, default=None)

    async def waiting_ahead(self, community_id: str, sequence: int, session: Any) -> int:
        waiting = self._all(community_id=community_id, state="waitlisted")
        return sum(1 for m in waiting if (m.sequence or 0) < sequence)

    async def members(self, community_id: str, session: Any = None) -> list[Membership]:
        return self._all(community_id=community_id, state="member")

    async def waitlist(self, community_id: str) -> list[Membership]:
        line = [m for m in self._all(community_id=community_id) if m.waiting]
        return sorted(line, key=lambda m: m.sequence or 0)

    async def of_user(self, user_id: str, session: Any = None) -> list[Membership]:
        return self._all(user_id=user_id)

    async def expired_offers(self, now: datetime, limit: int) -> list[Membership]:
        lapsed = [m for m in self._all(state="offered") if m.offer and m.offer.expires_at <= now]
        return sorted(lapsed, key=lambda m: m.offer.expires_at if m.offer else now)[:limit]

    async def delete_of_user(self, user_id: str, session: Any) -> None:
        for key in [k for k in self.store.memberships if k[1] == user_id]:
            del self.store.memberships[key]

    async def shares_community(self, a: str, b: str) -> bool:
        mine = {m.community_id for m in self._all(user_id=a, state="member")}
        return any(m.community_id in mine for m in self._all(user_id=b, state="member"))


class FakeApplications:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _sorted(self, found: list[Application]) -> list[Application]:
        return sorted(found, key=lambda a: (a.submitted_at, a.id))

    async def add(self, application: Application, session: Any) -> None:
        self.store.applications[application.id] = application

    async def get(self, application_id: str, session: Any = None) -> Application | None:
        return self.store.applications.get(application_id)

    async def save(self, application: Application, session: Any) -> None:
        self.store.applications[application.id] = application

    async def queue(
        self, community_id: str, *, status: ApplicationStatus, after: str | None, limit: int
    ) -> list[Application]:
        found = self._sorted(
            [
                a
                for a in self.store.applications.values()
                if a.community_id == community_id and a.status == status
            ]
        )
        if after is not None:
            found = found[[a.id for a in found].index(after) + 1 :]
        return found[:limit]

    async def pending(self, community_id: str, session: Any) -> list[Application]:
        return await self.queue(community_id, status="pending", after=None, limit=10**6)

    async def of_user(self, user_id: str) -> list[Application]:
        return self._sorted(
            [a for a in self.store.applications.values() if a.applicant_id == user_id]
        )

    async def delete_of_user(self, user_id: str, session: Any) -> None:
        for a in await self.of_user(user_id):
            del self.store.applications[a.id]


class FakeInvitations:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, invitation: Invitation, session: Any) -> None:
        self.store.invitations[invitation.id] = invitation

    async def get(self, invitation_id: str, session: Any = None) -> Invitation | None:
        return self.store.invitations.get(invitation_id)

    async def by_token_hash(self, token_hash: str, session: Any) -> Invitation | None:
        return next(
            (i for i in self.store.invitations.values() if i.token_hash == token_hash), None
        )

    async def save(self, invitation: Invitation, session: Any) -> None:
        self.store.invitations[invitation.id] = invitation

    async def of_community(
        self, community_id: str, *, after: str | None, limit: int
    ) -> list[Invitation]:
        found = [i for i in self.store.invitations.values() if i.community_id == community_id]
        return sorted(found, key=lambda i: (i.created_at, i.id))[:limit]


class FakeAudit:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, entry: AuditEntry, session: Any) -> None:
        self.store.audit.append(entry)

    async def page(self, community_id: str, *, after: str | None, limit: int) -> list[AuditEntry]:
        return [e for e in reversed(self.store.audit) if e.community_id == community_id][:limit]

    async def forget(self, user_id: str, session: Any) -> None:
        self.store.audit = [
            replace(
                e,
                actor_id=None if e.actor_id == user_id else e.actor_id,
                subject_id=None if e.subject_id == user_id else e.subject_id,
            )
            for e in self.store.audit
        ]


class FakeProfiles:
    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def profiles(self) -> dict[str, PublicProfile]:
        return self.store.profiles

    @property
    def emails(self) -> dict[str, str]:
        return self.store.emails

    async def many(self, user_ids: Sequence[str]) -> dict[str, PublicProfile]:
        return {u: self.store.profiles[u] for u in user_ids if u in self.store.profiles}

    async def email(self, user_id: str) -> str | None:
        return self.store.emails.get(user_id)

    async def verified_email(self, user_id: str) -> str | None:
        # Everyone is verified, at their known address or a made-up one, unless listed.
        if user_id in self.store.unverified:
            return None
        return self.store.emails.get(user_id, f"{user_id}@example.org")


class FakeIntroductions:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, introduction: Introduction, session: Any) -> None:
        if any(i.pair == introduction.pair for i in self.store.introductions.values()):
            raise Conflict("You two already have an introduction.", code="already-introduced")
        self.store.introductions[introduction.id] = introduction

    async def get(self, introduction_id: str, session: Any = None) -> Introduction | None:
        return self.store.introductions.get(introduction_id)

    async def save(self, introduction: Introduction, session: Any) -> None:
        self.store.introductions[introduction.id] = introduction

    async def of_user(self, user_id: str) -> list[Introduction]:
        return [i for i in self.store.introductions.values() if i.involves(user_id)]

    async def delete_of_user(self, user_id: str, session: Any) -> None:
        for i in await self.of_user(user_id):
            del self.store.introductions[i.id]
