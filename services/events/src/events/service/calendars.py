"""Calendar feeds: a personal feed behind a secret, revocable URL token, and community feeds;
and the caller's agenda of upcoming gatherings."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from events.domain.errors import NotFound
from events.domain.gatherings import Gathering
from events.domain.zones import ZonePreference
from events.service.ports import Ports
from events.service.queries import zone_preference

#: How far back feeds reach: recent past gatherings stay on calendars.
FEED_HISTORY = timedelta(days=90)
COMMUNITY_FEED_LIMIT = 500


@dataclass(frozen=True)
class Agenda:
    """The caller's next gatherings with their RSVP status, and the zone they read times in."""

    items: list[tuple[Gathering, str]]
    preference: ZonePreference


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a database leak does not expose anyone's calendar."""
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_feed_token(user_id: str, *, now: datetime, ports: Ports) -> str:
    """A new secret feed token for the user (the previous one stops working)."""
    token = secrets.token_urlsafe(32)
    await ports.feeds.issue(user_id, token_hash(token), now=now)
    return token


async def revoke_feed_token(user_id: str, *, ports: Ports) -> None:
    """The user's feed URL stops working at once."""
    await ports.feeds.revoke(user_id)


async def _communities_of(user_id: str, ports: Ports) -> list[str]:
    return [place.community_id for place in await ports.directory.memberships_of(user_id)]


async def personal_feed(token: str, *, now: datetime, ports: Ports) -> bytes:
    """The calendar of gatherings the token's owner is going to, in communities they still
    belong to, with links and addresses.

    Cancelled ones stay in the feed (as cancelled) so calendar clients remove them.
    """
    user_id = await ports.feeds.user_for(token_hash(token))
    if user_id is None:
        raise NotFound("no such calendar feed")
    going = await ports.rsvps.of_user(user_id, ["going"])
    found = await ports.gatherings.since(
        [r.gathering_id for r in going],
        community_ids=await _communities_of(user_id, ports),
        ended_after=now - FEED_HISTORY,
    )
    return ports.calendar_files.calendar(
        found, name="Cerchia", with_link=lambda _: True, with_address=lambda _: True
    )


async def upcoming_for(
    user_id: str, *, now: datetime, limit: int, tz: str | None, ports: Ports
) -> Agenda:
    """The caller's next gatherings (going or waitlisted, not ended, in communities they still
    belong to), soonest first, each with the caller's RSVP status."""
    preference = await zone_preference(tz, user_id, ports=ports)
    answers = await ports.rsvps.of_user(user_id, ["going", "waitlisted"])
    held: dict[str, str] = {r.gathering_id: r.status for r in answers}
    found = await ports.gatherings.since(
        list(held), community_ids=await _communities_of(user_id, ports), ended_after=now
    )
    items = [(g, held[g.id]) for g in found if g.status != "cancelled"][:limit]
    return Agenda(items=items, preference=preference)


async def community_feed(community_id: str, *, now: datetime, ports: Ports) -> bytes:
    """The calendar of a public community's public gatherings (anyone may subscribe), without
    links and addresses."""
    community = await ports.directory.community(community_id)
    if community is None or community.visibility != "public":
        raise NotFound("no such public community calendar")
    found = await ports.gatherings.in_community(
        community_id,
        public_only=True,
        since=now - FEED_HISTORY,
        after=None,
        limit=COMMUNITY_FEED_LIMIT,
    )
    return ports.calendar_files.calendar(
        found, name=community.name, with_link=lambda _: False, with_address=lambda _: False
    )
