"""Fan-out: one domain event becomes feed items, deliveries and digest entries, in bulk."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
from notifications.service.ports import (
    Communities,
    Copy,
    DeliveryQueue,
    DigestEntry,
    Digests,
    FanoutBudget,
    Feed,
    PreferenceStore,
    PushSubscriptions,
    Session,
    UserDirectory,
    Webhooks,
)


@dataclass(frozen=True)
class EventFacts:
    """What fan-out reads from an event envelope."""

    id: str
    type: str
    data: Mapping[str, Any]
    payload: str
    trace_headers: Mapping[str, str]


@dataclass(frozen=True)
class Fanout:
    """The ports fan-out writes through; every write joins the caller's transaction."""

    users: UserDirectory
    communities: Communities
    preferences: PreferenceStore
    push: PushSubscriptions
    feed: Feed
    deliveries: DeliveryQueue
    digests: Digests
    webhooks: Webhooks
    budget: FanoutBudget
    copy: Copy
    #: How long an email to someone not projected here yet waits for their address.
    park_timeout: timedelta = timedelta(days=1)

    async def notify(
        self, event: EventFacts, rule: Rule | None, *, now: datetime, session: Session
    ) -> int:
        """Queue everything an event causes; return how many writes were planned."""
        written = 0
        if rule is not None:
            written += await self._people(event, rule, now=now, session=session)
        written += await self._integrators(event, now=now, session=session)
        return written

    async def _audience(
        self, event: EventFacts, rule: Rule, session: Session
    ) -> tuple[list[Recipient], dict[str, str]]:
        data = event.data
        community_id = data.get("community_id")
        roles: dict[str, str] = {}
        if isinstance(rule.audience, CommunityRoles) and isinstance(community_id, str):
            roles = await self.communities.roles(community_id, session)
        ids = recipients(rule, data, roles)
        named = [
            v for k in ("actor_id", "user_id", "requester_id") if isinstance(v := data.get(k), str)
        ]
        contacts = await self.users.contacts([*ids, *named], session)
        names = {user: contact.display_name for user, contact in contacts.items()}
        if isinstance(rule.audience, EmailAddress):
            return [
                Recipient(
                    user_id=user,
                    email=str(data[rule.audience.field]),
                    display_name=str(data.get("display_name") or ""),
                    locale=str(data.get("locale") or "it"),
                )
                for user in ids
            ], names
        preferences = await self.preferences.many(ids, session)
        with_push = (
            await self.push.users_with_push(ids, session)
            if Channel.PUSH in rule.channels
            else set()
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
        return people, names

    async def _people(
        self, event: EventFacts, rule: Rule, *, now: datetime, session: Session
    ) -> int:
        data = event.data
        community_id = (
            data.get("community_id") if isinstance(data.get("community_id"), str) else None
        )
        people, names = await self._audience(event, rule, session)
        if not people:
            return 0
        plans = [plan(rule, person, community_id=community_id, now=now) for person in people]
        if community_id is not None and rule.urgency is not Urgency.CRITICAL:
            wanted = sum(p.external for p in plans)
            if wanted:
                granted = await self.budget.reserve(
                    community_id, wanted=wanted, now=now, session=session
                )
                plans = within_budget(rule, plans, granted)
        context = await self._context(event, rule, names, session)
        feed: list[FeedItem] = []
        deliveries: list[Delivery] = []
        digest: list[DigestEntry] = []
        digest_due: dict[tuple[str, str | None], datetime] = {}
        for item in plans:
            person = item.recipient
            personal = {
                **context,
                "display_name": person.display_name,
                "timezone": person.timezone or "",
            }
            title, body = self.copy.notice(rule.kind, person.locale, personal)
            if item.in_app:
                feed.append(
                    self._feed_item(
                        event=event,
                        rule=rule,
                        person=person,
                        title=title,
                        body=body,
                        context=context,
                        now=now,
                    )
                )
            deliveries.extend(
                self._deliveries(
                    park_until=now + self.park_timeout,
                    event=event,
                    rule=rule,
                    item=item,
                    context=personal,
                    title=title,
                    body=body,
                    now=now,
                )
            )
            if item.digest:
                digest.append(
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
                digest_due[(person.user_id, community_id)] = next_digest_at(
                    now, person.timezone, person.preferences.digest_for(community_id)
                )
        if feed:
            await self.feed.add(feed, session)
        if deliveries:
            await self.deliveries.enqueue(deliveries, session)
        if digest:
            await self.digests.add(digest, digest_due, session)
        return len(feed) + len(deliveries) + len(digest)

    async def _context(
        self, event: EventFacts, rule: Rule, names: Mapping[str, str], session: Session
    ) -> dict[str, Any]:
        data = event.data
        context: dict[str, Any] = {
            key: value
            for key, value in data.items()
            if isinstance(value, str | int | float | bool) and value is not None
        }
        community_id = data.get("community_id")
        if isinstance(community_id, str):
            name = data.get("community_name") or await self.communities.name(community_id, session)
            context["community"] = name or ""
        context["actor"] = names.get(str(data.get("actor_id") or data.get("requester_id")), "")
        context["person"] = names.get(str(data.get("user_id")), "")
        context["link"] = rule.link_for(data)
        return context

    @staticmethod
    def _feed_item(
        *,
        event: EventFacts,
        rule: Rule,
        person: Recipient,
        title: str,
        body: str,
        context: Mapping[str, Any],
        now: datetime,
    ) -> FeedItem:
        actor = event.data.get(rule.actor) if rule.actor else None
        return FeedItem(
            id="",  # the feed store assigns ids in insertion order
            key=idempotency_key(event.id, person.user_id, Channel.IN_APP),
            user_id=person.user_id,
            event_id=event.id,
            kind=rule.kind,
            category=rule.category,
            title=title,
            body=body,
            link=str(context["link"]),
            community_id=context.get("community_id"),
            actor_id=actor if isinstance(actor, str) else None,
            created_at=now,
        )

    @staticmethod
    def _deliveries(
        *,
        park_until: datetime,
        event: EventFacts,
        rule: Rule,
        item: Plan,
        context: Mapping[str, Any],
        title: str,
        body: str,
        now: datetime,
    ) -> list[Delivery]:
        person = item.recipient
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
                    context={"title": title, "body": body, "link": context["link"]},
                    due_at=item.push_at,
                    **common,
                )
            )
        return out

    async def _integrators(self, event: EventFacts, *, now: datetime, session: Session) -> int:
        community_id = event.data.get("community_id")
        if not isinstance(community_id, str) or event.type in PRIVATE_EVENT_TYPES:
            return 0
        subscriptions = await self.webhooks.matching(community_id, event.type, session)
        deliveries = [
            Delivery(
                key=idempotency_key(event.id, subscription.id, Channel.WEBHOOK),
                event_id=event.id,
                recipient_id=subscription.id,
                channel=Channel.WEBHOOK,
                template="webhook",
                locale="en",
                address=subscription.url,
                context={"payload": event.payload, "event_type": event.type},
                created_at=now,
                community_id=community_id,
                trace_headers=dict(event.trace_headers),
            )
            for subscription in subscriptions
        ]
        if deliveries:
            await self.deliveries.enqueue(deliveries, session)
        return len(deliveries)
