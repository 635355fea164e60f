"""Introductions: suggestions with reasons, requests with a note, double opt-in."""

from dataclasses import dataclass
from datetime import UTC, datetime

from cerchia_chassis.domain.errors import NotFound
from cerchia_chassis.ports import Session
from cerchia_contracts.events import membership as ev
from membership.domain.introductions import Introduction, Suggestion, suggest
from membership.domain.public_profiles import PublicProfile
from membership.service.community_ports import CommunityPorts

NOT_FOUND = "introduction-not-found"


@dataclass(frozen=True)
class IntroductionView:
    """An introduction as one party sees it: the other's contacts only once accepted."""

    introduction: Introduction
    other: PublicProfile
    other_email: str | None


async def _view(
    ports: CommunityPorts, introduction: Introduction, viewer_id: str
) -> IntroductionView:
    other_id = (
        introduction.recipient_id
        if introduction.requester_id == viewer_id
        else introduction.requester_id
    )
    other = (await ports.profiles.many([other_id])).get(other_id) or PublicProfile.unknown(other_id)
    shared = introduction.shares_contacts_with(viewer_id)
    return IntroductionView(
        introduction, other, await ports.profiles.email(other_id) if shared else None
    )


async def suggestions(
    *, user_id: str, community_id: str | None, limit: int, ports: CommunityPorts
) -> list[Suggestion]:
    """Members of my communities worth meeting, best first, excluding people already asked."""
    mine = [
        s.community_id
        for s in await ports.memberships.of_user(user_id)
        if s.is_member and (community_id is None or s.community_id == community_id)
    ]
    if community_id is not None and not mine:
        raise NotFound("No such community.", code="community-not-found")
    known = {
        other
        for intro in await ports.introductions.of_user(user_id)
        for other in (intro.requester_id, intro.recipient_id)
    }
    where: dict[str, str] = {}
    for cid in sorted(mine):
        for member in await ports.memberships.members(cid):
            if member.user_id != user_id and member.user_id not in known:
                where.setdefault(member.user_id, cid)
    profiles = await ports.profiles.many([user_id, *where])
    me = profiles.get(user_id) or PublicProfile.unknown(user_id)
    candidates = [(profiles[uid], cid) for uid, cid in where.items() if uid in profiles]
    return suggest(me, candidates, limit=limit)


async def _member(ports: CommunityPorts, community_id: str, user_id: str, session: Session) -> bool:
    standing = await ports.memberships.get(community_id, user_id, session)
    return standing is not None and standing.is_member


async def request_introduction(
    *, requester_id: str, recipient_id: str, community_id: str, note: str, ports: CommunityPorts
) -> IntroductionView:
    """Ask to meet a fellow member; raise Conflict when the pair already has an introduction.

    Returns the introduction as the requester sees it."""
    now = datetime.now(UTC)
    introduction = Introduction.request(
        community_id=community_id,
        requester_id=requester_id,
        recipient_id=recipient_id,
        note=note,
        now=now,
    )

    async def work(session: Session) -> None:
        if not await _member(ports, community_id, requester_id, session):
            raise NotFound("No such community.", code="community-not-found")
        if not await _member(ports, community_id, recipient_id, session):
            raise NotFound("No such member.", code="member-not-found")
        await ports.introductions.add(introduction, session)
        event = ev.IntroductionRequestedV1.new(
            subject=introduction.id,
            time=now,
            data=ev.IntroductionRequested(
                introduction_id=introduction.id,
                community_id=community_id,
                requester_id=requester_id,
                recipient_id=recipient_id,
                note=introduction.note,
            ),
        )
        await ports.outbox.add(session, event)

    await ports.transactions.run(work)
    ports.outbox.committed()
    return await _view(ports, introduction, requester_id)


async def answer_introduction(
    introduction_id: str, *, user_id: str, accept: bool, ports: CommunityPorts
) -> IntroductionView:
    """The recipient accepts (contact details are shared both ways) or declines.

    Returns the introduction as the recipient now sees it."""
    now = datetime.now(UTC)

    async def work(session: Session) -> Introduction:
        introduction = await ports.introductions.get(introduction_id, session)
        if introduction is None:
            raise NotFound("No such introduction.", code=NOT_FOUND)
        answered = introduction.answered(by=user_id, accept=accept, now=now)
        await ports.introductions.save(answered, session)
        fields = {
            "introduction_id": answered.id,
            "community_id": answered.community_id,
            "requester_id": answered.requester_id,
            "recipient_id": answered.recipient_id,
        }
        event = (
            ev.IntroductionAcceptedV1.new(
                subject=answered.id, time=now, data=ev.IntroductionAccepted(**fields)
            )
            if accept
            else ev.IntroductionDeclinedV1.new(
                subject=answered.id, time=now, data=ev.IntroductionDeclined(**fields)
            )
        )
        await ports.outbox.add(session, event)
        return answered

    answered = await ports.transactions.run(work)
    ports.outbox.committed()
    return await _view(ports, answered, user_id)


async def read_introduction(
    introduction_id: str, *, viewer_id: str, ports: CommunityPorts
) -> IntroductionView:
    """One introduction, for its two parties only."""
    introduction = await ports.introductions.get(introduction_id)
    if introduction is None or not introduction.involves(viewer_id):
        raise NotFound("No such introduction.", code=NOT_FOUND)
    return await _view(ports, introduction, viewer_id)


async def my_introductions(*, user_id: str, ports: CommunityPorts) -> list[IntroductionView]:
    """Introductions I asked for or was asked to accept, newest first."""
    mine = await ports.introductions.of_user(user_id)
    mine.sort(key=lambda i: i.requested_at, reverse=True)
    return [await _view(ports, intro, user_id) for intro in mine]
