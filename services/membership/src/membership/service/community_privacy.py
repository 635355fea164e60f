"""GDPR for communities: a person's export section, and their erasure from every community."""

from datetime import UTC, datetime
from typing import Any

from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from membership.domain.admission import Application
from membership.domain.communities import Community
from membership.domain.introductions import Introduction
from membership.domain.memberships import Membership
from membership.service import announcements as announce
from membership.service.account_ports import ErasureConsequence
from membership.service.closures import close_for_archive
from membership.service.community_ports import CommunityPorts
from membership.service.seats import release_seat


class CommunityExport:
    """Memberships, applications (with answers) and introductions of a person."""

    def __init__(self, ports: CommunityPorts) -> None:
        self._ports = ports

    async def export(self, user_id: str) -> dict[str, Any]:
        """The communities section of the GDPR export."""
        ports = self._ports
        standings = await ports.memberships.of_user(user_id)
        names = {
            c.id: c.details.name
            for c in await ports.communities.by_ids([s.community_id for s in standings])
        }
        return {
            "memberships": [_membership(s, names.get(s.community_id)) for s in standings],
            "applications": [_application(a) for a in await ports.applications.of_user(user_id)],
            "introductions": [
                _introduction(i, user_id) for i in await ports.introductions.of_user(user_id)
            ],
        }


def _membership(s: Membership, community_name: str | None) -> dict[str, Any]:
    return {
        "community_id": s.community_id,
        "community_name": community_name,
        "state": s.state,
        "since": s.since,
        "role": s.role,
        "joined_at": s.joined_at,
        "code_of_conduct_version": s.code_version,
        "code_of_conduct_accepted_at": s.code_accepted_at,
        "seat_offer_expires_at": s.offer.expires_at if s.offer else None,
        "reason": s.reason,
    }


def _application(a: Application) -> dict[str, Any]:
    return {
        "id": a.id,
        "community_id": a.community_id,
        "status": a.status,
        "submitted_at": a.submitted_at,
        "answers": [{"question": x.prompt, "answer": x.text} for x in a.answers],
        "decided_at": a.decided_at,
        "reason": a.reason,
    }


def _introduction(i: Introduction, user_id: str) -> dict[str, Any]:
    sent = i.requester_id == user_id
    return {
        "id": i.id,
        "community_id": i.community_id,
        "direction": "sent" if sent else "received",
        "other_user_id": i.recipient_id if sent else i.requester_id,
        "note": i.note,
        "status": i.status,
        "requested_at": i.requested_at,
        "answered_at": i.answered_at,
    }


class CommunityErasure:
    """Takes a person out of every community inside the account-erasure transaction.

    Their seats go to the next in line. An owner's community passes to its longest-serving
    moderator (the earliest to join, then the smallest id); without one it is archived with no
    owner, because nobody else may run it. Either way every remaining member is told
    (``community_handed_over``), after the owner's departure, and ``consequences`` says it
    beforehand, so the person is warned before confirming.
    """

    def __init__(self, ports: CommunityPorts) -> None:
        self._ports = ports

    async def consequences(self, user_id: str) -> list[ErasureConsequence]:
        """What erasing ``user_id`` would do to the communities they own."""
        ports = self._ports
        owned = [
            s for s in await ports.memberships.of_user(user_id) if s.is_member and s.role == "owner"
        ]
        found: list[ErasureConsequence] = []
        for standing in owned:
            community = await ports.communities.get(standing.community_id)
            if community is None or community.archived:
                continue
            successor = await self._successor(community.id, user_id, None)
            found.append(
                ErasureConsequence(
                    community_id=community.id,
                    community_name=community.details.name,
                    outcome="archived" if successor is None else "handed_over",
                    new_owner_id=None if successor is None else successor.user_id,
                )
            )
        return found

    async def erase(self, user_id: str, session: Session) -> None:
        """Leave every community, then delete what is left of the person here."""
        ports = self._ports
        now = datetime.now(UTC)
        events: list[AnyEvent] = []
        for standing in await ports.memberships.of_user(user_id, session):
            community = await ports.communities.get(standing.community_id, session)
            if community is not None:
                events += await self._withdraw(community, standing, session, now)
        await ports.memberships.delete_of_user(user_id, session)
        await ports.applications.delete_of_user(user_id, session)
        await ports.introductions.delete_of_user(user_id, session)
        await ports.audit.forget(user_id, session)
        if events:
            await ports.outbox.add(session, *events)

    async def _withdraw(
        self, community: Community, standing: Membership, session: Session, now: datetime
    ) -> list[AnyEvent]:
        ports = self._ports
        events: list[AnyEvent] = []
        if standing.is_member:
            handed_over = standing.role == "owner" and not community.archived
            if handed_over:
                community, handover = await self._hand_over(community, standing, session, now)
                events += handover
            events.append(announce.left(standing, now))
            if community.archived:
                await ports.communities.adjust(community.id, session, members=-1, free=1)
            else:
                events += await release_seat(ports, session, community.id, member=True, now=now)
            if handed_over:
                # After the departure, so the erased owner is not among those told.
                events.append(announce.handed_over(community, now))
        elif standing.offer is not None:
            events.append(announce.offer_closed(standing, standing.offer, expired=False, now=now))
            events += await release_seat(ports, session, community.id, member=False, now=now)
        elif standing.state == "waitlisted":
            events.append(announce.left_waitlist(standing, now))
        return events

    async def _successor(
        self, community_id: str, owner_id: str, session: Session | None
    ) -> Membership | None:
        moderators = [
            m
            for m in await self._ports.memberships.members(community_id, session)
            if m.role == "moderator" and m.user_id != owner_id
        ]
        if not moderators:
            return None
        return min(moderators, key=lambda m: (m.joined_at or m.since, m.user_id))

    async def _hand_over(
        self, community: Community, owner: Membership, session: Session, now: datetime
    ) -> tuple[Community, list[AnyEvent]]:
        ports = self._ports
        successor = await self._successor(community.id, owner.user_id, session)
        if successor is None:
            archived = community.archive_ownerless(now)
            await ports.communities.save(archived, session)
            closed = await close_for_archive(ports, session, community.id, actor_id=None, now=now)
            return archived, [announce.archived(archived, None), *closed]
        await ports.memberships.put(successor.with_role("owner"), session)
        transferred = community.with_owner(successor.user_id, now)
        await ports.communities.save(transferred, session)
        changed = announce.role_changed(
            community.id,
            successor.user_id,
            previous="moderator",
            role="owner",
            actor_id=None,
            now=now,
        )
        return transferred, [changed, announce.updated(transferred, successor.user_id)]
