"""Fan-out: one domain event becomes feed items, deliveries and digest entries, in bulk."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cerchia_chassis.ports import Session
from notifications.domain.categories import Urgency
from notifications.domain.deliveries import Channel, Delivery, idempotency_key
from notifications.domain.feed import FeedItem
from notifications.domain.planning import Plan, Recipient, plan, within_budget
from notifications.domain.preferences import Preferences
from notifications.domain.rules import (
    PRIVATE_EVENT_TYPES,
    CommunityRoles,
    EmailAddress,
    Rule,
    recipients,
)
from notifications.domain.schedule import next_digest_at
from notifications.service.instruments import fanned_out
from notifications.service.ports import Contact, DigestEntry, FanoutPorts

#: Data fields naming people whose display names a notice may show.
_NAMED = ("actor_id", "user_id", "requester_id", "new_owner_id")


@dataclass(frozen=True)
class EventFacts:
    """What fan-out reads from an event envelope."""

    id: str
    type: str
    data: Mapping[str, Any]
    payload: str
    trace_headers: Mapping[str, str]
    #: The event's own time (CloudEvents ``time``).
    time: datetime | None = None

    @property
    def community_id(self) -> str | None:
        """The community the event happened in, if any."""
        value = self.data.get("community_id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Notice:
    """One person's copy of a notification: its texts and what templates may say."""

    title: str
    body: str
    context: Mapping[str, Any]


@dataclass
class Writes:
    """What fan-out of one event writes, gathered for one bulk write per store."""

    feed: list[FeedItem] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    digest: list[DigestEntry] = field(default_factory=list)
    digest_due: dict[tuple[str, str | None], datetime] = field(default_factory=dict)

    async def save(self, ports: FanoutPorts, session: Session) -> int:
        """Write everything in the caller's transaction; return how many writes there were."""
        if self.feed:
            await ports.feed.add(self.feed, session)
        if self.deliveries:
            await ports.deliveries.enqueue(self.deliveries, session)
        if self.digest:
            await ports.digests.add(self.digest, self.digest_due, session)
        return len(self.feed) + len(self.deliveries) + len(self.digest)


async def notify(
    event: EventFacts, rule: Rule | None, *, ports: FanoutPorts, now: datetime, session: Session
) -> int:
    """Queue everything an event causes; return how many writes were planned."""
    written = 0
    if rule is not None:
        written += await _people(event, rule, ports=ports, now=now, session=session)
    written += await _integrators(event, ports=ports, now=now, session=session)
    return written


async def _people(
    event: EventFacts, rule: Rule, *, ports: FanoutPorts, now: datetime, session: Session
) -> int:
    community_id = event.community_id
    people, names = await _audience(event, rule, ports, session)
    fanned_out("people", len(people))
    if not people:
        return 0
    plans = [plan(rule, person, community_id=community_id, now=now) for person in people]
    if community_id is not None and rule.urgency is not Urgency.CRITICAL:
        wanted = sum(p.external for p in plans)
        if wanted:
            granted = await ports.budget.reserve(
                community_id, wanted=wanted, now=now, session=session
            )
            plans = within_budget(rule, plans, granted)
    context = await _context(event, rule, names, ports, session)
    writes = Writes()
    for item in plans:
        _share(event, rule, item, context, writes, ports=ports, now=now)
    return await writes.save(ports, session)


async def _audience(
    event: EventFacts, rule: Rule, ports: FanoutPorts, session: Session
) -> tuple[list[Recipient], dict[str, str]]:
    """Who is told, and the display names of the people the event names."""
    data = event.data
    roles: dict[str, str] = {}
    if isinstance(rule.audience, CommunityRoles) and event.community_id is not None:
        members = await ports.communities.members(
            event.community_id, roles=rule.audience.roles, session=session
        )
        roles = {member.user_id: member.role for member in members}
    ids = recipients(rule, data, roles)
    named = [v for k in _NAMED if isinstance(v := data.get(k), str)]
    if rule.actor is not None and isinstance(actor := data.get(rule.actor), str):
        named.append(actor)
    contacts = await ports.users.contacts([*ids, *named], session)
    names = {user: contact.display_name for user, contact in contacts.items()}
    if isinstance(rule.audience, EmailAddress):
        return [_addressed(rule.audience, data, user) for user in ids], names
    return await _known(rule, ids, contacts, ports, session), names


def _addressed(audience: EmailAddress, data: Mapping[str, Any], user: str) -> Recipient:
    """Someone reached at the address the event carries (they may have no account yet)."""
    return Recipient(
        user_id=user,
        email=str(data[audience.field]),
        display_name=str(data.get("display_name") or ""),
        locale=str(data.get("locale") or "it"),
    )


async def _known(
    rule: Rule,
    ids: list[str],
    contacts: Mapping[str, Contact],
    ports: FanoutPorts,
    session: Session,
) -> list[Recipient]:
    """People with their contact details (when projected), choices and browsers."""
    preferences = await ports.preferences.many(ids, session)
    with_push = (
        await ports.push.users_with_push(ids, session) if Channel.PUSH in rule.channels else set()
    )
    people = []
    for user in ids:
        contact = contacts.get(user)
        people.append(
            Recipient(
                user_id=user,
                email=contact.email if contact else None,
                display_name=contact.display_name if contact else "",
                locale=contact.locale if contact else "it",
                timezone=contact.timezone if contact else None,
                preferences=preferences.get(user, Preferences()),
                has_push=user in with_push,
                known=contact is not None,
            )
        )
    return people


async def _context(
    event: EventFacts,
    rule: Rule,
    names: Mapping[str, str],
    ports: FanoutPorts,
    session: Session,
) -> dict[str, Any]:
    data = event.data
    context: dict[str, Any] = {
        key: value
        for key, value in data.items()
        if isinstance(value, str | int | float | bool) and value is not None
    }
    if event.community_id is not None:
        name = data.get("community_name")
        if not name:
            community = await ports.communities.community(event.community_id, session)
            name = community.name if community else ""
        context["community"] = name or ""
    # The actor is whoever the rule says acted (the sender of a message, the member who accepted
    # an introduction), else the event's actor.
    actor = data.get(rule.actor) if rule.actor else data.get("actor_id")
    context["actor"] = names.get(str(actor), "")
    context["person"] = names.get(str(data.get("user_id")), "")
    if data.get("new_owner_id"):
        context["new_owner"] = names.get(str(data["new_owner_id"]), "")
    # Whose names the texts may carry: erasing one of them empties the message (deliveries).
    context["named_ids"] = sorted(
        {v for v in (actor, data.get("user_id"), data.get("new_owner_id")) if isinstance(v, str)}
    )
    context["link"] = rule.link_for(data)
    return context


def _share(
    event: EventFacts,
    rule: Rule,
    item: Plan,
    context: Mapping[str, Any],
    writes: Writes,
    *,
    ports: FanoutPorts,
    now: datetime,
) -> None:
    """One person's share of the notification: feed item, deliveries, digest entry."""
    person = item.recipient
    personal = {**context, "display_name": person.display_name, "timezone": person.timezone or ""}
    title, body = ports.copy.notice(rule.kind, person.locale, personal)
    notice = Notice(title, body, personal)
    if item.in_app:
        writes.feed.append(_feed_item(event, rule, person, notice, now=now))
    writes.deliveries.extend(
        _deliveries(event, rule, item, notice, now=now, park_until=now + ports.park_timeout)
    )
    if item.digest:
        community_id = event.community_id
        writes.digest.append(
            DigestEntry(
                key=f"{event.id}:{person.user_id}:digest",
                user_id=person.user_id,
                community_id=community_id,
                kind=rule.kind,
                title=title,
                body=body,
                link=str(context["link"]),
                created_at=now,
            )
        )
        writes.digest_due[(person.user_id, community_id)] = next_digest_at(
            now, person.timezone, person.preferences.digest_for(community_id)
        )


def _feed_item(
    event: EventFacts, rule: Rule, person: Recipient, notice: Notice, *, now: datetime
) -> FeedItem:
    actor = event.data.get(rule.actor) if rule.actor else None
    return FeedItem(
        id="",  # the feed store assigns ids in insertion order
        key=idempotency_key(event.id, person.user_id, Channel.IN_APP),
        user_id=person.user_id,
        event_id=event.id,
        kind=rule.kind,
        category=rule.category,
        title=notice.title,
        body=notice.body,
        link=str(notice.context["link"]),
        community_id=notice.context.get("community_id"),
        actor_id=actor if isinstance(actor, str) else None,
        created_at=now,
    )


def _deliveries(
    event: EventFacts,
    rule: Rule,
    item: Plan,
    notice: Notice,
    *,
    now: datetime,
    park_until: datetime,
) -> list[Delivery]:
    person, context = item.recipient, notice.context
    common: dict[str, Any] = {
        "event_id": event.id,
        "recipient_id": person.user_id,
        "template": rule.kind,
        "locale": person.locale,
        "created_at": now,
        "category": rule.category,
        "urgency": rule.urgency,
        "community_id": context.get("community_id"),
        "sensitive": rule.sensitive,
        "trace_headers": dict(event.trace_headers),
        "event_time": event.time,
    }
    out: list[Delivery] = []
    if item.email_at is not None and person.reachable_by_email:
        # Someone not projected yet (their registration is on another topic, maybe behind):
        # the email is parked until their address arrives, instead of being dropped.
        out.append(
            Delivery(
                key=idempotency_key(event.id, person.user_id, Channel.EMAIL),
                channel=Channel.EMAIL,
                address=person.email or "",
                context=dict(context),
                due_at=item.email_at,
                park_until=None if person.email else park_until,
                **common,
            )
        )
    if item.push_at is not None:
        out.append(
            Delivery(
                key=idempotency_key(event.id, person.user_id, Channel.PUSH),
                channel=Channel.PUSH,
                address="",
                context={"title": notice.title, "body": notice.body, "link": context["link"]},
                due_at=item.push_at,
                **common,
            )
        )
    return out


async def _integrators(
    event: EventFacts, *, ports: FanoutPorts, now: datetime, session: Session
) -> int:
    community_id = event.community_id
    if community_id is None or event.type in PRIVATE_EVENT_TYPES:
        return 0
    subscriptions = await ports.webhooks.matching(community_id, event.type, session)
    deliveries = [
        Delivery(
            key=idempotency_key(event.id, subscription.id, Channel.WEBHOOK),
            event_id=event.id,
            recipient_id=subscription.id,
            channel=Channel.WEBHOOK,
            template="webhook",
            category=None,
            locale="en",
            address=subscription.url,
            context={"payload": event.payload, "event_type": event.type},
            created_at=now,
            community_id=community_id,
            trace_headers=dict(event.trace_headers),
            event_time=event.time,
        )
        for subscription in subscriptions
    ]
    if deliveries:
        await ports.deliveries.enqueue(deliveries, session)
    fanned_out("webhooks", len(deliveries))
    return len(deliveries)
