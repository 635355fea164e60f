"""The durable digest scheduler: each person's set-aside notifications of one community,
bundled in one email."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from notifications.domain.deliveries import Channel, Delivery, idempotency_key
from notifications.service.ports import (
    Communities,
    DeliveryQueue,
    Digests,
    DueDigest,
    Session,
    Transactions,
    UserDirectory,
)

DIGEST_TEMPLATE = "digest"
Outcome = Literal["queued", "empty", "unknown"]
#: A digest for someone not known here yet waits a day (same local hour) for their account.
UNKNOWN_RECIPIENT_WAIT = timedelta(days=1)


def digest_slot(due: DueDigest) -> str:
    """The digest's identity: person, community and slot (its idempotency key's event id)."""
    community = due.community_id or "all"
    return f"digest-{due.user_id}-{community}-{due.due_at.astimezone(UTC):%Y%m%dT%H%M}"


async def send_due_digests(
    *,
    digests: Digests,
    deliveries: DeliveryQueue,
    users: UserDirectory,
    communities: Communities,
    transactions: Transactions,
    limit: int,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Turn every due digest into one queued email; return how many schedules were due.

    The entries are taken and the email queued in one transaction, keyed by the person, the
    community and the slot, so a crash at any point neither loses a digest nor sends it twice.
    """
    now = clock()
    due = await digests.claim_due(now=now, limit=limit)
    for digest in due:

        async def work(session: Session, digest: DueDigest = digest) -> Outcome:
            contact = (await users.contacts([digest.user_id], session)).get(digest.user_id)
            if contact is None:
                return "unknown"
            entries = await digests.take(digest, session)
            if not entries:
                return "empty"
            name = (
                await communities.name(digest.community_id, session)
                if digest.community_id
                else None
            )
            slot = digest_slot(digest)
            items = [
                {"title": e.title, "body": e.body, "link": e.link, "community_id": e.community_id}
                for e in sorted(entries, key=lambda e: e.created_at)
            ]
            delivery = Delivery(
                key=idempotency_key(slot, digest.user_id, Channel.EMAIL),
                event_id=slot,
                recipient_id=digest.user_id,
                channel=Channel.EMAIL,
                template=DIGEST_TEMPLATE,
                locale=contact.locale,
                address=contact.email,
                context={
                    "display_name": contact.display_name,
                    "items": items,
                    "count": len(items),
                    "community": name or "",
                    "community_id": digest.community_id or "",
                    "timezone": contact.timezone or "",
                    "link": f"/communities/{digest.community_id}"
                    if digest.community_id
                    else "/notifications",
                },
                created_at=now,
                community_id=digest.community_id,
            )
            await deliveries.enqueue([delivery], session)
            return "queued"

        outcome = await transactions.run(work)
        if outcome == "queued":
            deliveries.wake()
        elif outcome == "unknown":
            await digests.postpone(digest, until=now + UNKNOWN_RECIPIENT_WAIT)
    return len(due)
