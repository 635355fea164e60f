"""What every kind of posting shares: a verified email, the rate limit, mentions."""

from collections.abc import Sequence
from datetime import datetime

from cerchia_chassis.domain.errors import EmailNotVerified
from cerchia_chassis.ports import Session
from cerchia_contracts.events import content as c
from content.domain.access import Viewer
from content.domain.discussions import Thread
from content.domain.markup import Body
from content.service.ports import Ports


async def require_verified(ports: Ports, user_id: str, session: Session) -> None:
    """Raise EmailNotVerified unless the person verified their email address: posting and
    messaging need it (a client echoing the verification's consistency token is answered once
    content has applied it, so it never sees a false refusal)."""
    if not await ports.people.verified(user_id, session):
        raise EmailNotVerified(
            "Verify your email address before posting or messaging: follow the link we sent, "
            "or ask for a new one."
        )


async def check_rate(ports: Ports, user_id: str, now: datetime, session: Session) -> None:
    """Raise RateLimited if the member posts too fast; otherwise count this post."""
    recent = await ports.post_log.recent(user_id, now - ports.rate.window, session)
    ports.rate.check(recent, now=now)
    await ports.post_log.record(user_id, now, session)


async def mentioned_members(
    ports: Ports, viewer: Viewer, body: Body, *, already: Sequence[str] = (), session: Session
) -> tuple[str, ...]:
    """User ids of the active members ``body`` mentions by @handle, minus the author and
    ``already``."""
    if not body.mentioned_handles:
        return ()
    holders = await ports.people.by_handles(body.mentioned_handles, session)
    members = await ports.communities.roles(viewer.community.id, holders.values(), session)
    ids = dict.fromkeys(
        holders[h] for h in body.mentioned_handles if h in holders and holders[h] in members
    )
    return tuple(u for u in ids if u != viewer.user_id and u not in already)


def mention_events(
    thread: Thread,
    *,
    actor_id: str,
    user_ids: Sequence[str],
    post_kind: c.PostKind,
    post_id: str,
    excerpt: str,
    at: datetime,
) -> list[c.MemberMentionedV1]:
    """One MemberMentioned event per mentioned member."""
    return [
        c.MemberMentionedV1.new(
            subject=thread.community_id,
            time=at,
            data=c.MemberMentioned(
                community_id=thread.community_id,
                actor_id=actor_id,
                thread_id=thread.id,
                thread_title=thread.title,
                thread_author_id=thread.author_id,
                mentioned_user_id=user_id,
                post_kind=post_kind,
                post_id=post_id,
                excerpt=excerpt,
            ),
        )
        for user_id in user_ids
    ]
