"""Endpoints that keep failing are disabled, and their owner is told in the app."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cerchia_chassis.ports import Session, Transactions
from notifications.domain.categories import Category
from notifications.domain.feed import FeedItem
from notifications.domain.webhooks import WebhookSubscription
from notifications.service.ports import (
    Communities,
    Copy,
    Feed,
    UserDirectory,
    WebhookRegistry,
)

KIND = "webhook_disabled"


@dataclass(frozen=True)
class WebhookHealth:
    """Records each call's outcome; the failure that disables an endpoint also writes the
    owner's feed item, in one transaction, so they are told exactly once."""

    registry: WebhookRegistry
    feed: Feed
    users: UserDirectory
    communities: Communities
    copy: Copy
    transactions: Transactions
    disable_after: int
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def record(self, subscription: WebhookSubscription, *, ok: bool) -> None:
        """Count a success (resets the count) or a failure."""
        if ok:
            if subscription.consecutive_failures:
                await self.registry.record_outcome(
                    subscription.id, ok=True, disable_after=self.disable_after, session=None
                )
            return

        async def work(session: Session) -> None:
            disabled = await self.registry.record_outcome(
                subscription.id, ok=False, disable_after=self.disable_after, session=session
            )
            if disabled:
                await self._tell_owner(subscription, session)

        await self.transactions.run(work)

    async def _tell_owner(self, subscription: WebhookSubscription, session: Session) -> None:
        now = self.clock()
        owner = subscription.owner_id
        contact = (await self.users.contacts([owner], session)).get(owner)
        community = await self.communities.community(subscription.community_id, session)
        locale = contact.locale if contact else "it"
        context = {
            "url": subscription.url,
            "community": community.name if community else "",
            "failures": self.disable_after,
            "display_name": contact.display_name if contact else "",
        }
        title, body = self.copy.notice(KIND, locale, context)
        marker = f"{KIND}:{subscription.id}:{now:%Y%m%dT%H%M%S%f}"
        await self.feed.add(
            [
                FeedItem(
                    id="",
                    key=f"{marker}:{owner}:in_app",
                    user_id=owner,
                    event_id=marker,
                    kind=KIND,
                    # Not a preference anyone can turn off: the integration stopped working.
                    category=Category.ACCOUNT,
                    title=title,
                    body=body,
                    link=f"/communities/{subscription.community_id}/webhooks",
                    community_id=subscription.community_id,
                    actor_id=None,
                    created_at=now,
                )
            ],
            session,
        )
