"""Membership's and events' facts as content receives them, for in-memory tests."""

from datetime import UTC, datetime, timedelta

from cerchia_contracts.events import gatherings as g
from cerchia_contracts.events import membership as m

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def created(community_id: str = "c", *, at: datetime = T0) -> m.CommunityCreatedV1:
    """A public community founded by ``olga``, code of conduct version 1."""
    return m.CommunityCreatedV1.new(
        subject=community_id,
        time=at,
        data=m.CommunityCreated(
            community_id=community_id,
            actor_id="olga",
            slug=community_id,
            name="Circle",
            purpose="Grow",
            audience="Makers",
            language="en",
            visibility="public",
            join_policy="open",
            capacity=50,
            owner_id="olga",
            code_of_conduct_version=1,
        ),
    )


def joined(user_id: str, community_id: str = "c", *, at: datetime = T0) -> m.MemberJoinedV1:
    """``user_id`` joins as a member, having accepted version 1."""
    return m.MemberJoinedV1.new(
        subject=community_id,
        time=at,
        data=m.MemberJoined(
            community_id=community_id,
            actor_id=user_id,
            user_id=user_id,
            role="member",
            via="open",
            code_of_conduct_version=1,
        ),
    )


def left(user_id: str, community_id: str = "c", *, at: datetime = T0) -> m.MemberLeftV1:
    """``user_id`` leaves."""
    return m.MemberLeftV1.new(
        subject=community_id,
        time=at,
        data=m.MemberLeft(community_id=community_id, actor_id=user_id, user_id=user_id),
    )


def banned(
    user_id: str, community_id: str = "c", *, at: datetime = T0, reason: str = "Spam"
) -> m.MemberBannedV1:
    """``olga`` bans ``user_id``."""
    return m.MemberBannedV1.new(
        subject=community_id,
        time=at,
        data=m.MemberBanned(
            community_id=community_id, actor_id="olga", user_id=user_id, reason=reason
        ),
    )


def code_of_conduct(
    version: int, community_id: str = "c", *, at: datetime = T0
) -> m.CodeOfConductPublishedV1:
    """A new code of conduct version is in force."""
    return m.CodeOfConductPublishedV1.new(
        subject=community_id,
        time=at,
        data=m.CodeOfConductPublished(community_id=community_id, actor_id="olga", version=version),
    )


def registered(user_id: str, name: str) -> m.UserRegisteredV1:
    """A new account."""
    return m.UserRegisteredV1.new(
        subject=user_id,
        data=m.UserRegistered(
            user_id=user_id, email=f"{user_id}@example.org", display_name=name, locale="en"
        ),
    )


def profile(user_id: str, name: str, handle: str | None = None) -> m.ProfileUpdatedV1:
    """The person's profile as it now reads."""
    return m.ProfileUpdatedV1.new(
        subject=user_id,
        data=m.ProfileUpdated(
            user_id=user_id,
            email=f"{user_id}@example.org",
            display_name=name,
            handle=handle,
            locale="en",
            timezone="Europe/Rome",
        ),
    )


def verified(user_id: str) -> m.EmailVerifiedV1:
    """The person proved they own their address."""
    return m.EmailVerifiedV1.new(
        subject=user_id,
        data=m.EmailVerified(user_id=user_id, email=f"{user_id}@example.org"),
    )


def erased(user_id: str) -> m.UserErasedV1:
    """The account is gone."""
    return m.UserErasedV1.new(subject=user_id, data=m.UserErased(user_id=user_id))


def recap(community_id: str = "c", *, gathering_id: str = "gathering-1") -> g.RecapPublishedV1:
    """A gathering's recap, by its host ``olga``."""
    return g.RecapPublishedV1.new(
        subject=gathering_id,
        data=g.RecapPublished(
            community_id=community_id,
            gathering_id=gathering_id,
            actor_id="olga",
            title="Spring meetup",
            format="in_person",
            starts_at=T0,
            ends_at=T0 + timedelta(hours=2),
            time_zone="Europe/Rome",
            starts_at_local=T0.isoformat(),
            recap_id=f"recap-{gathering_id}",
            notes_markdown="We talked about **gardens**.",
            links=(g.RecapLink(title="Slides", url="https://example.org/s"),),
            host_ids=("olga",),
            attendee_count=12,
        ),
    )
