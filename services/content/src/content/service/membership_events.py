"""What membership's events change in content: who belongs where (the chassis's community
projection), how people are named (content's own), and erasure."""

from collections.abc import Awaitable, Callable

from cerchia_chassis.domain.community import MemberChange, changes_of
from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m
from content.service.bans import hide_since_ban
from content.service.ports import Ports

CONSUMER = "content.membership"

Effect = Callable[[Session], Awaitable[None]]


async def on_community_event(event: AnyEvent, *, ports: Ports) -> bool:
    """Fold one ``membership.communities.v1`` event into the projection, once, by the time it
    happened (a replayed older fact changes nothing); a ban also hides what the person posted
    from its time on. True if it was new."""
    if not changes_of(event):
        return False

    async def effect(session: Session) -> None:
        changes = await ports.communities.apply(event, session)
        if isinstance(event.data, m.MemberBanned):
            for change in changes:
                if isinstance(change, MemberChange):
                    await hide_since_ban(event.data, change, ports, session)

    return await ports.inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)


async def on_user_event(event: AnyEvent, *, ports: Ports) -> bool:
    """Apply one ``membership.users.v1`` event (names, handles, verified email, erasure), once;
    True if new."""
    effect = _user_effect(event, ports)
    if effect is None:
        return False
    return await ports.inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)


def _user_effect(event: AnyEvent, ports: Ports) -> Effect | None:
    data = event.data
    if isinstance(data, m.UserErased):
        return _erase(ports, data.user_id)
    if isinstance(data, m.EmailVerified):
        user_id = data.user_id

        async def verify(session: Session) -> None:
            await ports.people.mark_verified(user_id, session)

        return verify
    if isinstance(data, m.UserRegistered | m.ProfileUpdated):
        user_id, name = data.user_id, data.display_name
        handle = data.handle if isinstance(data, m.ProfileUpdated) else None
        initial = isinstance(data, m.UserRegistered)

        async def name_them(session: Session) -> None:
            await ports.people.save_person(
                user_id, display_name=name, handle=handle, initial=initial, session=session
            )

        return name_them
    return None


def _erase(ports: Ports, user_id: str) -> Effect:
    async def erase(session: Session) -> None:
        await ports.people.erase_person(user_id, session)
        await ports.communities.forget_user(user_id, session)
        await ports.eraser.erase(user_id, session)
        await ports.outbox.forget_person(session, user_id)

    return erase
