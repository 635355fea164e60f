"""Local projections of users, communities and roles, so fan-out never calls another service."""

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m
from notifications.service.ports import (
    Communities,
    DeliveryQueue,
    Digests,
    Feed,
    PreferenceStore,
    PushSubscriptions,
    Session,
    UserDirectory,
)


async def project(
    event: AnyEvent, *, users: UserDirectory, communities: Communities, session: Session
) -> None:
    """Fold one membership event into the projections (other events change nothing here)."""
    data = event.data
    match event:
        case m.UserRegisteredV1():
            await users.upsert(
                user_id=data.user_id,
                email=data.email,
                display_name=data.display_name,
                locale=data.locale,
                session=session,
            )
        case m.ProfileUpdatedV1():
            await users.upsert(
                user_id=data.user_id,
                email=data.email,
                display_name=data.display_name,
                locale=data.locale,
                timezone=data.timezone,
                session=session,
            )
        case m.CommunityCreatedV1() | m.CommunityUpdatedV1():
            await communities.upsert(data.community_id, name=data.name, session=session)
            if isinstance(event, m.CommunityCreatedV1):
                await communities.set_member(
                    data.community_id, data.owner_id, role="owner", session=session
                )
        case m.MemberJoinedV1() | m.MemberRoleChangedV1():
            await communities.set_member(
                data.community_id, data.user_id, role=data.role, session=session
            )
        case m.MemberLeftV1() | m.MemberRemovedV1() | m.MemberBannedV1():
            await communities.remove_member(data.community_id, data.user_id, session)
        case _:
            pass


async def erase_user(
    user_id: str,
    *,
    users: UserDirectory,
    communities: Communities,
    preferences: PreferenceStore,
    feed: Feed,
    deliveries: DeliveryQueue,
    digests: Digests,
    push: PushSubscriptions,
    session: Session,
) -> None:
    """Forget a person: contact details, memberships, choices, feed, queued messages, devices."""
    await users.erase(user_id, session)
    await communities.erase_user(user_id, session)
    await preferences.erase(user_id, session)
    await feed.erase(user_id, session)
    await deliveries.erase(user_id, session)
    await digests.erase(user_id, session)
    await push.erase(user_id, session)
