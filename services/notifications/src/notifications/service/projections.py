"""Local projections of users, communities and roles, so fan-out never calls another service.

Communities and memberships are the chassis's projection (every fact applied by the time it
happened); the users projection — who can be notified and how to address them — is this
service's own, and so is what it unblocks: emails parked for someone whose account arrives.
"""

from datetime import datetime

from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m
from notifications.service.ports import Contact, FanoutPorts


def contact_of(event: AnyEvent) -> Contact | None:
    """The contact details a membership event states (None for other events)."""
    if not isinstance(event, m.UserRegisteredV1 | m.ProfileUpdatedV1):
        return None
    data = event.data
    return Contact(
        user_id=data.user_id,
        email=data.email,
        display_name=data.display_name,
        locale=data.locale,
        timezone=data.timezone if isinstance(data, m.ProfileUpdated) else None,
    )


async def project(event: AnyEvent, *, ports: FanoutPorts, now: datetime, session: Session) -> None:
    """Fold one event into the projections (events of other streams change nothing here).

    A person's account may arrive after events about them (users and communities are
    separate topics): the emails parked for them meanwhile get their address now.
    """
    await ports.communities.apply(event, session)
    contact = contact_of(event)
    if contact is None:
        return
    await ports.users.upsert(contact, session)
    await ports.deliveries.unpark(contact, now=now, session=session)


async def erase_user(user_id: str, *, ports: FanoutPorts, session: Session) -> None:
    """Forget a person: contact details, memberships, choices, feed, deliveries, devices, the
    webhooks they registered (they stop firing) and every webhook event naming them."""
    await ports.users.erase(user_id, session)
    await ports.communities.forget_user(user_id, session)
    await ports.preferences.erase(user_id, session)
    await ports.feed.erase(user_id, session)
    owned = await ports.webhooks.remove_owned_by(user_id, session)
    await ports.deliveries.erase(user_id, session, webhooks=owned)
    await ports.digests.erase(user_id, session)
    await ports.push.erase(user_id, session)
    await ports.outbox.forget_person(session, user_id)
