"""The durable digest scheduler: each person's set-aside notifications, bundled in one email."""

from collections.abc import Callable
from datetime import UTC, datetime

from notifications.domain.deliveries import Channel, Delivery, idempotency_key
from notifications.service.ports import DeliveryQueue, Digests, Session, Transactions, UserDirectory

DIGEST_TEMPLATE = "digest"


async def send_due_digests(
    *,
    digests: Digests,
    deliveries: DeliveryQueue,
    users: UserDirectory,
    transactions: Transactions,
    limit: int,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Turn every due digest into one queued email; return how many schedules were due.

    The entries are taken and the email queued in one transaction, keyed by the person and the
    slot, so a crash at any point neither loses a digest nor sends it twice.
    """
    now = clock()
    due = await digests.claim_due(now=now, limit=limit)
    for user_id, due_at in due:

        async def work(session: Session, user_id: str = user_id, due_at: datetime = due_at) -> bool:
            entries = await digests.take(user_id, due_at, session)
            contact = (await users.contacts([user_id], session)).get(user_id)
            if not entries or contact is None:
                return False
            slot = f"digest-{user_id}-{due_at.astimezone(UTC):%Y%m%dT%H%M}"
            items = [
                {"title": e.title, "body": e.body, "link": e.link, "community_id": e.community_id}
                for e in sorted(entries, key=lambda e: e.created_at)
            ]
            delivery = Delivery(
                key=idempotency_key(slot, user_id, Channel.EMAIL),
                event_id=slot,
                recipient_id=user_id,
                channel=Channel.EMAIL,
                template=DIGEST_TEMPLATE,
                locale=contact.locale,
                address=contact.email,
                context={
                    "display_name": contact.display_name,
                    "items": items,
                    "count": len(items),
                    "timezone": contact.timezone or "",
                    "link": "/notifications",
                },
                created_at=now,
            )
            await deliveries.enqueue([delivery], session)
            return True

        if await transactions.run(work):
            deliveries.wake()
    return len(due)
