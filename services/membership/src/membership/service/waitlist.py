"""Leaving, and the waitlist's seat offers: accept, decline, and the expiry sweep."""

import logging
from datetime import UTC, datetime

from cerchia_chassis.domain.errors import Conflict, NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from membership.domain.memberships import Membership, line_order
from membership.domain.roles import ensure_moderator
from membership.service import announcements as announce
from membership.service.community_ports import CommunityPorts
from membership.service.seats import community_in_view, release_seat, role_of

logger = logging.getLogger(__name__)


async def leave(community_id: str, *, user_id: str, ports: CommunityPorts) -> Membership:
    """Leave the community or its waitlist; a freed seat goes to the next in line."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Membership:
        community, standing = await community_in_view(ports, community_id, user_id, session)
        if standing is None:
            raise Conflict("You are neither a member nor on the waitlist.", code="not-a-member")
        gone = standing.left(now)
        await ports.memberships.put(gone, session)
        events: list[AnyEvent]
        if standing.is_member:
            events = [announce.left(standing, now)]
            events += await release_seat(ports, session, community.id, member=True, now=now)
        elif standing.offer is not None:
            events = [announce.offer_closed(standing, standing.offer, expired=False, now=now)]
            events += await release_seat(ports, session, community.id, member=False, now=now)
        else:
            events = [announce.left_waitlist(standing, now)]
        await ports.outbox.add(session, *events)
        return gone

    gone = await ports.transactions.run(work)
    ports.outbox.committed()
    return gone


async def accept_offer(
    community_id: str, *, user_id: str, code_version: int, ports: CommunityPorts
) -> Membership:
    """Take the seat held for you, having accepted the current code of conduct."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Membership:
        community, standing = await community_in_view(ports, community_id, user_id, session)
        community.ensure_active()
        if standing is None:
            raise Conflict("There is no seat offer for you.", code="no-seat-offer")
        community.ensure_current_code(code_version)
        member = standing.accept_offer(code_version=code_version, now=now)
        await ports.memberships.put(member, session)
        # The seat was held when offered: only the member count moves.
        await ports.communities.adjust(community.id, session, members=1)
        await ports.outbox.add(session, announce.joined(member, "waitlist", user_id))
        return member

    member = await ports.transactions.run(work)
    ports.outbox.committed()
    return member


async def decline_offer(community_id: str, *, user_id: str, ports: CommunityPorts) -> Membership:
    """Turn the seat down: it is offered to the next in line."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Membership:
        community, standing = await community_in_view(ports, community_id, user_id, session)
        if standing is None or standing.offer is None:
            raise Conflict("There is no seat offer for you.", code="no-seat-offer")
        closed = standing.closed_offer(now)
        await ports.memberships.put(closed, session)
        events: list[AnyEvent] = [
            announce.offer_closed(standing, standing.offer, expired=False, now=now)
        ]
        events += await release_seat(ports, session, community.id, member=False, now=now)
        await ports.outbox.add(session, *events)
        return closed

    closed = await ports.transactions.run(work)
    ports.outbox.committed()
    return closed


async def expire_offers(*, ports: CommunityPorts, limit: int) -> int:
    """Close lapsed offers and pass each seat on; safe to run in several replicas at once.

    Each offer is re-read inside its own transaction and closed only if it is still the same
    open, lapsed offer, so two sweepers racing for it close it once (the loser's transaction
    conflicts, is retried, and then finds nothing to do).
    """
    now = datetime.now(UTC)
    lapsed = await ports.memberships.expired_offers(now, limit)
    closed = 0
    for candidate in lapsed:
        assert candidate.offer is not None

        async def work(session: Session, candidate: Membership = candidate) -> bool:
            current = await ports.memberships.get(
                candidate.community_id, candidate.user_id, session
            )
            offer = current.offer if current is not None else None
            if current is None or offer is None or offer.id != candidate.offer_id_or_none():
                return False
            if not offer.expired(now):
                return False
            await ports.memberships.put(current.closed_offer(now), session)
            events: list[AnyEvent] = [announce.offer_closed(current, offer, expired=True, now=now)]
            events += await release_seat(
                ports, session, current.community_id, member=False, now=now
            )
            await ports.outbox.add(session, *events)
            return True

        try:
            if await ports.transactions.run(work):
                closed += 1
        except Exception:
            logger.exception("could not expire the seat offer of %s", candidate.user_id)
    if closed:
        ports.outbox.committed()
    return closed


async def my_offer(community_id: str, *, user_id: str, ports: CommunityPorts) -> Membership:
    """The caller's open seat offer."""
    _, standing = await community_in_view(ports, community_id, user_id)
    if standing is None or standing.offer is None:
        raise NotFound("There is no seat offer for you.", code="no-seat-offer")
    return standing


async def waitlist_of(
    community_id: str, *, viewer_id: str, ports: CommunityPorts
) -> list[Membership]:
    """The line in order (people holding an offer first), for the moderators."""
    community, standing = await community_in_view(ports, community_id, viewer_id)
    ensure_moderator(role_of(standing))
    return line_order(await ports.memberships.waitlist(community.id))
