"""Calendar feeds: a personal feed behind a secret, revocable URL token, and community feeds."""

import hashlib
import secrets
from datetime import datetime, timedelta

from events.domain.errors import NotFound
from events.domain.gatherings import Gathering
from events.service.ports import Directory, FeedTokens, GatheringRepository, RsvpRepository

#: How far back feeds reach: recent past gatherings stay on calendars.
FEED_HISTORY = timedelta(days=90)
COMMUNITY_FEED_LIMIT = 500


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a database leak does not expose anyone's calendar."""
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_feed_token(user_id: str, *, now: datetime, feeds: FeedTokens) -> str:
    """A new secret feed token for the user (the previous one stops working)."""
    token = secrets.token_urlsafe(32)
    await feeds.issue(user_id, token_hash(token), now=now)
    return token


async def personal_feed(
    token: str,
    *,
    now: datetime,
    feeds: FeedTokens,
    directory: Directory,
    rsvps: RsvpRepository,
    gatherings: GatheringRepository,
) -> tuple[str, list[Gathering]]:
    """The user's gatherings they are going to, in communities they still belong to.

    Cancelled ones stay in the feed (as cancelled) so calendar clients remove them.
    """
    user_id = await feeds.user_for(token_hash(token))
    if user_id is None:
        raise NotFound("no such calendar feed")
    going = await rsvps.of_user(user_id, ["going"])
    communities = await directory.communities_of(user_id)
    found = await gatherings.since(
        [r.gathering_id for r in going], community_ids=communities, ended_after=now - FEED_HISTORY
    )
    return user_id, found


async def upcoming_for(
    user_id: str,
    *,
    now: datetime,
    limit: int,
    directory: Directory,
    rsvps: RsvpRepository,
    gatherings: GatheringRepository,
) -> list[tuple[Gathering, str]]:
    """The caller's next gatherings (going or waitlisted, not ended, in communities they still
    belong to), soonest first, each with the caller's RSVP status."""
    answers = await rsvps.of_user(user_id, ["going", "waitlisted"])
    held: dict[str, str] = {r.gathering_id: r.status for r in answers}
    communities = await directory.communities_of(user_id)
    found = await gatherings.since(list(held), community_ids=communities, ended_after=now)
    return [(g, held[g.id]) for g in found if g.status != "cancelled"][:limit]


async def community_feed(
    community_id: str, *, now: datetime, directory: Directory, gatherings: GatheringRepository
) -> list[Gathering]:
    """The public gatherings of a public community (anyone may subscribe)."""
    community = await directory.community(community_id)
    if community is None or community.visibility != "public":
        raise NotFound("no such public community calendar")
    return await gatherings.in_community(
        community_id,
        public_only=True,
        since=now - FEED_HISTORY,
        after=None,
        limit=COMMUNITY_FEED_LIMIT,
    )
