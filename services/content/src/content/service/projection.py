"""Building content's projection of membership: communities, memberships, people, erasure."""

from collections.abc import Awaitable, Callable
from datetime import datetime

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m
from content.domain.access import Standing
from content.domain.projection import community_after, membership_after
from content.service.directory_ports import Directory, Eraser
from content.service.unit_of_work import Inbox, Session

CONSUMER = "content.membership"

Effect = Callable[[Session], Awaitable[None]]


async def on_membership_event(
    event: AnyEvent, *, inbox: Inbox, directory: Directory, eraser: Eraser
) -> bool:
    """Fold one membership event into the projection, once; True if it was new."""
    effect = _effect(event, directory=directory, eraser=eraser)
    if effect is None:
        return False
    return await inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)


def _effect(  # noqa: PLR0911 - one flat dispatch over the event kinds reads best
    event: AnyEvent, *, directory: Directory, eraser: Eraser
) -> Effect | None:
    data = event.data
    at = event.time
    if isinstance(data, m.CommunitySnapshot):
        return _community(
            directory,
            data.community_id,
            at,
            name=data.name,
            visibility=data.visibility,
            language=data.language,
            code_of_conduct_version=data.code_of_conduct_version,
        )
    if isinstance(data, m.CodeOfConductPublished):
        return _community(directory, data.community_id, at, code_of_conduct_version=data.version)
    if isinstance(data, m.CommunityArchived):
        return _community(directory, data.community_id, at, archived=True)
    if isinstance(data, m.MemberJoined):
        return _member(
            directory,
            data.community_id,
            data.user_id,
            at,
            standing=Standing.ACTIVE,
            role=data.role,
            accepted_version=data.code_of_conduct_version,
        )
    if isinstance(data, m.CodeOfConductAccepted):
        return _member(
            directory, data.community_id, data.user_id, at, accepted_version=data.version
        )
    if isinstance(data, m.MemberRoleChanged):
        return _member(directory, data.community_id, data.user_id, at, role=data.role)
    standings = {
        m.MemberLeft: Standing.LEFT,
        m.MemberRemoved: Standing.REMOVED,
        m.MemberBanned: Standing.BANNED,
        # A lifted ban makes no one a member: they stand as someone who left.
        m.MemberUnbanned: Standing.LEFT,
    }
    for kind, standing in standings.items():
        if isinstance(data, kind):
            return _member(directory, data.community_id, data.user_id, at, standing=standing)
    if isinstance(data, m.UserRegistered):
        return _person(directory, data.user_id, data.display_name, None, initial=True)
    if isinstance(data, m.ProfileUpdated):
        return _person(directory, data.user_id, data.display_name, data.handle, initial=False)
    if isinstance(data, m.UserErased):
        user_id = data.user_id

        async def erase(session: Session) -> None:
            await directory.erase_person(user_id, session)
            await eraser.erase(user_id, session)

        return erase
    return None


def _community(
    directory: Directory,
    community_id: str,
    at: datetime,
    **facts: object,
) -> Effect:
    async def effect(session: Session) -> None:
        current, as_of = await directory.community_as_of(community_id, session)
        community, described_at = community_after(
            current,
            as_of,
            community_id=community_id,
            at=at,
            **facts,  # type: ignore[arg-type]
        )
        await directory.save_community(community, described_at, session)

    return effect


def _member(
    directory: Directory,
    community_id: str,
    user_id: str,
    at: datetime,
    *,
    standing: Standing | None = None,
    role: str | None = None,
    accepted_version: int | None = None,
) -> Effect:
    async def effect(session: Session) -> None:
        current = await directory.membership(community_id, user_id, session)
        await directory.save_membership(
            membership_after(
                current,
                community_id=community_id,
                user_id=user_id,
                at=at,
                standing=standing,
                role=role,
                accepted_version=accepted_version,
            ),
            session,
        )

    return effect


def _person(
    directory: Directory, user_id: str, display_name: str, handle: str | None, *, initial: bool
) -> Effect:
    async def effect(session: Session) -> None:
        await directory.save_person(
            user_id, display_name=display_name, handle=handle, initial=initial, session=session
        )

    return effect
