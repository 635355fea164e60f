"""Local projections of users, communities and roles, so fan-out never calls another service."""

from datetime import datetime

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m
from notifications.service.ports import (
    Communities,
    Contact,
    DeliveryQueue,
    Digests,
    Feed,
    PreferenceStore,
    PushSubscriptions,
    Session,
    UserDirectory,
)


async def project(
    event: AnyEvent,
    *,
    users: UserDirectory,
    communities: Communities,
    deliveries: DeliveryQueue,
    now: datetime,
    session: Session,
) -> None:
    """Fold one membership event into the projections (other events change nothing here).

    A person's account may arrive after events about them (users and communities are
    separate topics): the emails parked for them meanwhile get their address now.
    """
    data = event.data
    match event:
        case m.UserRegisteredV1() | m.ProfileUpdatedV1():
            contact = Contact(
                user_id=data.user_id,
                email=data.email,
                display_name=data.display_name,
                locale=data.locale,
                timezone=data.timezone if isinstance(event, m.ProfileUpdatedV1) else None,
            )
            await users.upsert(
                user_id=contact.user_id,
                email=contact.email,
                display_name=contact.display_name,
                locale=contact.locale,
                timezone=contact.timezone,
                session=session,
            )
            await deliveries.unpark(contact, now=now, session=session)
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
