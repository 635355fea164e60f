"""Founding, describing, archiving communities, and their code of conduct."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from cerchia_chassis.domain.cursors import Page, page_of
from cerchia_chassis.domain.errors import Forbidden, NotFound
from cerchia_chassis.domain.text_search import Candidate, query_terms, rank
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import MEMBERSHIP_COMMUNITIES, AnyEvent
from membership.domain.audit import AuditEntry
from membership.domain.communities import (
    Community,
    Details,
    JoinPolicy,
    Language,
    ScreeningQuestion,
    Visibility,
)
from membership.domain.discovery import after_rank, ranked_after
from membership.domain.memberships import Membership, newcomer
from membership.domain.paging import after_key
from membership.domain.roles import ensure_owner
from membership.service import announcements as announce
from membership.service.closures import close_for_archive
from membership.service.community_ports import CommunityPorts
from membership.service.seats import (
    NOT_FOUND,
    community_in_view,
    offer_free_seats,
    role_of,
    waitlist_length,
    waitlist_position,
)
from membership.service.verified import verified_address


@dataclass(frozen=True)
class Founding:
    """What a founder submits."""

    details: Details
    capacity: int
    code_of_conduct: str
    questions: tuple[ScreeningQuestion, ...]


@dataclass(frozen=True)
class Changes:
    """An owner's partial update; None leaves a setting as it is."""

    name: str | None = None
    slug: str | None = None
    purpose: str | None = None
    audience: str | None = None
    tags: tuple[str, ...] | None = None
    language: Language | None = None
    visibility: Visibility | None = None
    join_policy: JoinPolicy | None = None
    capacity: int | None = None
    questions: tuple[ScreeningQuestion, ...] | None = None


async def _commit(ports: CommunityPorts, session: Session, events: list[AnyEvent]) -> None:
    if events:
        await ports.outbox.add(session, *events)


async def create_community(
    founding: Founding, *, founder_id: str, ports: CommunityPorts
) -> tuple[Community, Membership]:
    """Found a community: its creator is the owner and first member; raise Conflict on slug,
    EmailNotVerified before the founder verified their address."""
    await verified_address(ports, founder_id)
    now = datetime.now(UTC)
    community = Community.found(
        details=founding.details,
        capacity=founding.capacity,
        owner_id=founder_id,
        code_of_conduct=founding.code_of_conduct,
        questions=founding.questions,
        now=now,
    )
    founder = newcomer(community.id, founder_id, now).joined(role="owner", code_version=1, now=now)

    async def work(session: Session) -> None:
        await ports.communities.add(community, session)
        await ports.memberships.put(founder, session)
        await _commit(
            ports,
            session,
            [announce.created(community), announce.joined(founder, "founder", founder_id)],
        )

    await ports.transactions.run(work)
    ports.outbox.committed()
    return community, founder


@dataclass(frozen=True)
class CommunityView:
    """A community's page as the viewer may see it: their standing and place in line, and how
    many wait for a seat."""

    community: Community
    standing: Membership | None
    position: int | None
    waiting: int


async def read_community(
    community_id: str, *, viewer_id: str | None, ports: CommunityPorts
) -> CommunityView:
    """The community as the viewer may see it, with their standing; anonymous viewers (None)
    see public communities only.

    The answer names the community's latest event: a member who reads that someone approved or
    promoted them, and acts on it elsewhere at once, is not refused there (read-your-writes).
    """
    found = await ports.communities.find(community_id)
    key = found.id if found else community_id
    if viewer_id is None:
        if found is None or found.details.visibility != "public":
            raise NotFound("No such community.", code=NOT_FOUND)
        community, standing = found, None
    else:
        community, standing = await community_in_view(ports, key, viewer_id)
    await ports.outbox.observe(MEMBERSHIP_COMMUNITIES.name, community.id)
    return CommunityView(
        community,
        standing,
        await waitlist_position(ports, standing),
        await waitlist_length(ports, community.id),
    )


async def update_community(
    community_id: str, changes: Changes, *, actor_id: str, ports: CommunityPorts
) -> tuple[Community, Membership | None]:
    """The owner changes settings; a raised capacity offers the new seats to those waiting.

    Returns the community with the owner's standing."""
    now = datetime.now(UTC)
    detail_changes = {
        key: value
        for key, value in vars(changes).items()
        if value is not None and key not in ("capacity", "questions")
    }

    async def work(session: Session) -> tuple[Community, Membership | None]:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        ensure_owner(role_of(standing))
        revised = community.revised(
            details=replace(community.details, **detail_changes),
            capacity=changes.capacity or community.seats.capacity,
            questions=community.questions if changes.questions is None else changes.questions,
            now=now,
        )
        await ports.communities.save(revised, session)
        events: list[AnyEvent] = [announce.updated(revised, actor_id, previous=community)]
        events += await offer_free_seats(ports, session, community.id, now)
        await _commit(ports, session, events)
        return revised, standing

    updated = await ports.transactions.run(work)
    ports.outbox.committed()
    return updated


async def archive_community(
    community_id: str, *, actor_id: str, ports: CommunityPorts
) -> Community:
    """The owner archives the community: it becomes read-only."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Community:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        ensure_owner(role_of(standing))
        archived = community.archive(now)
        await ports.communities.save(archived, session)
        await ports.audit.add(
            AuditEntry(community.id, "community_archived", actor_id, now), session
        )
        events: list[AnyEvent] = [announce.archived(archived, actor_id)]
        events += await close_for_archive(ports, session, community.id, actor_id=actor_id, now=now)
        await _commit(ports, session, events)
        return archived

    archived = await ports.transactions.run(work)
    ports.outbox.committed()
    return archived


async def publish_code_of_conduct(
    community_id: str, text: str, *, actor_id: str, ports: CommunityPorts
) -> tuple[Community, Membership]:
    """The owner publishes a new version; every other member must accept it again.

    Returns the community with the owner's standing (publishing is their acceptance)."""
    now = datetime.now(UTC)

    async def work(session: Session) -> tuple[Community, Membership]:
        community, standing = await community_in_view(ports, community_id, actor_id, session)
        ensure_owner(role_of(standing))
        assert standing is not None  # the owner is a member
        published = community.with_code_of_conduct(text.strip(), by=actor_id, now=now)
        await ports.communities.save(published, session)
        # Publishing is the owner's own acceptance.
        owner = standing.accept_code(published.code_of_conduct.version, now)
        await ports.memberships.put(owner, session)
        await ports.audit.add(
            AuditEntry(
                community.id,
                "code_of_conduct_published",
                actor_id,
                now,
                details={"version": published.code_of_conduct.version},
            ),
            session,
        )
        events: list[AnyEvent] = [
            announce.code_published(published, actor_id),
            announce.code_accepted(owner, now),
        ]
        await _commit(ports, session, events)
        return published, owner

    result = await ports.transactions.run(work)
    ports.outbox.committed()
    return result


async def accept_code_of_conduct(
    community_id: str, version: int, *, user_id: str, ports: CommunityPorts
) -> Membership:
    """A member accepts the current code of conduct, recorded with version and time."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Membership:
        community, standing = await community_in_view(ports, community_id, user_id, session)
        community.ensure_active()
        if standing is None or not standing.is_member:
            raise Forbidden("Only members accept the code of conduct.", code="member-required")
        community.ensure_current_code(version)
        accepted = standing.accept_code(version, now)
        await ports.memberships.put(accepted, session)
        await _commit(ports, session, [announce.code_accepted(accepted, now)])
        return accepted

    accepted = await ports.transactions.run(work)
    ports.outbox.committed()
    return accepted


#: At most this many communities are ranked for one search (the best of them are paged).
SEARCH_CANDIDATES = 1000


async def waiting_in_full(communities: list[Community], *, ports: CommunityPorts) -> dict[str, int]:
    """How many wait for a seat in each full community of a listing (the others have seats,
    which is what a listing shows for them)."""
    return {c.id: await waitlist_length(ports, c.id) for c in communities if c.seats.free == 0}


async def list_communities(
    *,
    cursor: str | None,
    limit: int,
    tag: str | None,
    language: str | None,
    q: str | None = None,
    ports: CommunityPorts,
) -> Page[Community]:
    """Public, active communities (unlisted and private ones are never listed): by slug, or,
    with ``q``, those whose name, purpose, audience or tags contain its words, most relevant
    first."""
    if q is None:
        found = await ports.communities.listed(
            after=after_key(cursor), limit=limit + 1, tag=tag, language=language
        )
        return page_of(found, limit, lambda community: (community.details.slug,))
    after = after_rank(cursor)
    words = query_terms(q)
    if not words:
        return Page([], None)
    candidates = await ports.communities.matching(
        words, tag=tag, language=language, limit=SEARCH_CANDIDATES
    )
    ranked = rank(
        [Candidate(c.id, counts) for c, counts in candidates],
        words,
        total_documents=await ports.communities.count_listed(),
    )
    by_id = {c.id: c for c, _ in candidates}
    chosen = ranked_after(ranked, after)[: limit + 1]
    scores = dict(chosen)
    return page_of([by_id[key] for key, _ in chosen], limit, lambda c: (scores[c.id], c.id))
