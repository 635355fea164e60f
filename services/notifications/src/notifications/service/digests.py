"""The durable digest scheduler: each person's set-aside notifications of one community,
bundled in one email."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from cerchia_chassis.ports import Session
from notifications.domain.deliveries import Channel, Delivery, idempotency_key
from notifications.service.ports import Contact, DigestEntry, DueDigest, SendingPorts

DIGEST_TEMPLATE = "digest"
Outcome = Literal["queued", "empty", "unknown"]
#: A digest for someone not known here yet waits a day (same local hour) for their account.
UNKNOWN_RECIPIENT_WAIT = timedelta(days=1)


def digest_slot(due: DueDigest) -> str:
    """The digest's identity: person, community and slot (its idempotency key's event id)."""
    community = due.community_id or "all"
    return f"digest-{due.user_id}-{community}-{due.due_at.astimezone(UTC):%Y%m%dT%H%M}"


def digest_email(
    due: DueDigest,
    contact: Contact,
    entries: Sequence[DigestEntry],
    *,
    community_name: str,
    now: datetime,
) -> Delivery:
    """The one email bundling a person's entries, oldest first, keyed by its slot."""
    slot = digest_slot(due)
    items = [
        {"title": e.title, "body": e.body, "link": e.link, "community_id": e.community_id}
        for e in sorted(entries, key=lambda e: e.created_at)
    ]
    return Delivery(
        key=idempotency_key(slot, due.user_id, Channel.EMAIL),
        event_id=slot,
        recipient_id=due.user_id,
        channel=Channel.EMAIL,
        template=DIGEST_TEMPLATE,
        locale=contact.locale,
        address=contact.email,
        context={
            "display_name": contact.display_name,
            "items": items,
            "count": len(items),
            "community": community_name,
            "community_id": due.community_id or "",
            "timezone": contact.timezone or "",
            "link": f"/communities/{due.community_id}" if due.community_id else "/notifications",
        },
        created_at=now,
        category=None,
        community_id=due.community_id,
    )


async def _queue(due: DueDigest, ports: SendingPorts, now: datetime, session: Session) -> Outcome:
    contact = (await ports.users.contacts([due.user_id], session)).get(due.user_id)
    if contact is None:
        return "unknown"
    entries = await ports.digests.take(due, session)
    if not entries:
        return "empty"
    community = (
        await ports.communities.community(due.community_id, session) if due.community_id else None
    )
    name = community.name if community else ""
    email = digest_email(due, contact, entries, community_name=name, now=now)
    await ports.deliveries.enqueue([email], session)
    return "queued"


async def send_due_digests(*, limit: int, ports: SendingPorts) -> int:
    """Turn every due digest into one queued email; return how many schedules were due.

    The entries are taken and the email queued in one transaction, keyed by the person, the
    community and the slot, so a crash at any point neither loses a digest nor sends it twice.
    """
    now = ports.clock()
    due = await ports.digests.claim_due(now=now, limit=limit)
    for digest in due:

        async def work(session: Session, digest: DueDigest = digest) -> Outcome:
            return await _queue(digest, ports, now, session)

        outcome = await ports.transactions.run(work)
        if outcome == "queued":
            ports.deliveries.wake()
        elif outcome == "unknown":
            await ports.digests.postpone(digest, until=now + UNKNOWN_RECIPIENT_WAIT)
    return len(due)
