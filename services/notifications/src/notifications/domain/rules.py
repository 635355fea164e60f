"""Who hears about what: one table from event type to recipients, category, urgency and link.

Reading a row: when an event of that type arrives, the audience is computed from the event's
data (named fields, or the community's members with some roles), the actor is removed (nobody
is told about their own action), and each remaining person gets the ``kind`` of notification on
the channels the rule allows and their preferences keep. Event types without a row notify no
one. To cover a new producer's events, add rows here (and the copy in
``adapters/messages.py``); the consumers subscribe to every topic in ``FANOUT_TOPICS``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from cerchia_contracts.catalog import (
    CONTENT_DISCUSSIONS,
    CONTENT_MESSAGES,
    CONTENT_MODERATION,
    EVENTS_GATHERINGS,
    EVENTS_REMINDERS,
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_EXPORTS,
    MEMBERSHIP_INTRODUCTIONS,
    MEMBERSHIP_TOKENS,
    MEMBERSHIP_USERS,
    Topic,
)
from cerchia_contracts.envelope import CloudEvent
from cerchia_contracts.events import content as c
from cerchia_contracts.events import exports as x
from cerchia_contracts.events import gatherings as g
from cerchia_contracts.events import membership as m
from notifications.domain.categories import Category, Urgency
from notifications.domain.deliveries import Channel
from notifications.domain.schedule import starts_within

PERSONAL = frozenset({Channel.IN_APP, Channel.EMAIL, Channel.PUSH})
EMAIL_ONLY = frozenset({Channel.EMAIL})
IN_APP_ONLY = frozenset({Channel.IN_APP})

#: Topics fan-out listens to; add a producer's topics here together with its rows in the rules.
FANOUT_TOPICS: tuple[Topic, ...] = (
    MEMBERSHIP_USERS,
    MEMBERSHIP_TOKENS,
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_INTRODUCTIONS,
    MEMBERSHIP_EXPORTS,
    CONTENT_DISCUSSIONS,
    CONTENT_MESSAGES,
    CONTENT_MODERATION,
    EVENTS_GATHERINGS,
    EVENTS_REMINDERS,
)

STAFF = frozenset({"owner", "moderator"})
EVERYONE = frozenset({"owner", "moderator", "member"})


@dataclass(frozen=True)
class People:
    """The users named by these data fields (a field may hold one id or a list of ids)."""

    fields: tuple[str, ...]


@dataclass(frozen=True)
class CommunityRoles:
    """The members of the event's ``community_id`` holding one of these roles."""

    roles: frozenset[str]


@dataclass(frozen=True)
class EmailAddress:
    """An address carried by the event, for people who may have no account (yet)."""

    field: str = "email"
    user_field: str | None = "user_id"


Audience = People | CommunityRoles | EmailAddress


@dataclass(frozen=True)
class Rule:
    """How one event type is notified."""

    kind: str
    category: Category
    audience: Audience
    #: Data field naming who acted; None when the message is meant for the actor (welcome).
    actor: str | None = "actor_id"
    urgency: Urgency = Urgency.NORMAL
    channels: frozenset[Channel] = PERSONAL
    #: Path of the link, formatted with the event's data.
    link: str = "/"
    #: Carries a single-use secret: never stored after sending, never sent to integrators.
    sensitive: bool = False
    #: Data field that, when true, makes this event matter more (a gathering's time changed).
    escalate: str | None = None
    #: An escalated event is critical (through quiet hours and the budget) only when the
    #: gathering starts — or was to start — within this long; otherwise it is high.
    critical_within: timedelta | None = None
    #: (data field, kind): when the event carries the field, it is told as that kind instead.
    variant: tuple[str, str] | None = None
    #: (data field, value): when the event says so, another event already tells the people
    #: concerned, so this one tells nobody (one message per fact).
    told_elsewhere: tuple[str, str] | None = None

    def for_event(self, data: Mapping[str, Any], now: datetime | None = None) -> "Rule":
        """The rule as it applies to one event (its variant, escalated when the event says so)."""
        if self.variant is not None and data.get(self.variant[0]) is not None:
            return replace(self, kind=self.variant[1], variant=None).for_event(data, now)
        if self.escalate is None or not data.get(self.escalate):
            return self
        if self.critical_within is None or (
            now is not None and starts_within(data, now, self.critical_within)
        ):
            return replace(self, urgency=Urgency.CRITICAL)
        return replace(self, urgency=Urgency.HIGH)

    def link_for(self, data: Mapping[str, Any]) -> str:
        """The link path for this event."""
        return self.link.format_map(data)


def _type(event: type[CloudEvent[Any]]) -> str:
    return event.event_type()


#: Changes and cancellations of a gathering are critical when it is this close (the issue's rule).
IMMINENT = timedelta(hours=24)


_COMMUNITY = "/communities/{community_id}"
_THREAD = _COMMUNITY + "/threads/{thread_id}"
_GATHERING = _COMMUNITY + "/events/{gathering_id}"

RULES: Mapping[str, Rule] = {
    # membership.users.v1
    _type(m.UserRegisteredV1): Rule(
        "welcome", Category.ACCOUNT, People(("user_id",)), actor=None, channels=EMAIL_ONLY
    ),
    _type(m.PasswordChangedV1): Rule(
        "password_changed",
        Category.ACCOUNT,
        People(("user_id",)),
        actor=None,
        urgency=Urgency.CRITICAL,
        channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        link="/forgot-password",
    ),
    # Sign-up answers a taken address as a new one; the owner is told here instead.
    _type(m.SignUpAttemptedV1): Rule(
        "sign_up_attempted",
        Category.ACCOUNT,
        People(("user_id",)),
        actor=None,
        urgency=Urgency.HIGH,
        channels=EMAIL_ONLY,
        link="/login",
    ),
    # membership.exports.v1: the archive of a personal-data export can be downloaded (by its
    # owner, signed in: the link carries no secret) until it expires. The person just asked for
    # it and waits for it, as for a reset link: quiet hours do not hold it back.
    _type(x.ExportReadyV1): Rule(
        "export_ready",
        Category.ACCOUNT,
        People(("user_id",)),
        actor=None,
        urgency=Urgency.CRITICAL,
        channels=EMAIL_ONLY,
        link="/account/exports/{export_id}",
    ),
    # membership.tokens.v2: links with secrets (opened from their seal), to an address
    _type(m.EmailVerificationRequestedV2): Rule(
        "verify_email",
        Category.ACCOUNT,
        EmailAddress(),
        actor=None,
        urgency=Urgency.CRITICAL,
        channels=EMAIL_ONLY,
        link="/verify-email?token={token}",
        sensitive=True,
    ),
    _type(m.PasswordResetRequestedV2): Rule(
        "password_reset",
        Category.ACCOUNT,
        EmailAddress(),
        actor=None,
        urgency=Urgency.CRITICAL,
        channels=EMAIL_ONLY,
        link="/reset-password?token={token}",
        sensitive=True,
    ),
    _type(m.InvitationSentV2): Rule(
        "invitation",
        Category.MEMBERSHIP,
        EmailAddress(user_field=None),
        actor=None,
        urgency=Urgency.HIGH,
        channels=EMAIL_ONLY,
        link="/accept-invitation?token={token}",
        sensitive=True,
    ),
    # membership.communities.v1
    _type(m.ApplicationSubmittedV1): Rule(
        "application_submitted",
        Category.MEMBERSHIP,
        CommunityRoles(STAFF),
        link=_COMMUNITY + "/applications/{application_id}",
    ),
    # Approved into a full community: one message says both (approved, and where in line).
    _type(m.ApplicationApprovedV1): Rule(
        "application_approved",
        Category.MEMBERSHIP,
        People(("applicant_id",)),
        link=_COMMUNITY,
        variant=("waitlist_position", "application_approved_waitlisted"),
    ),
    _type(m.ApplicationRejectedV1): Rule(
        "application_rejected", Category.MEMBERSHIP, People(("applicant_id",)), link="/communities"
    ),
    _type(m.MemberWaitlistedV1): Rule(
        "member_waitlisted",
        Category.MEMBERSHIP,
        People(("user_id",)),
        link=_COMMUNITY,
        told_elsewhere=("via", "application"),
    ),
    _type(m.SeatOfferedV1): Rule(
        "seat_offered",
        Category.MEMBERSHIP,
        People(("user_id",)),
        urgency=Urgency.HIGH,
        link=_COMMUNITY + "/seat-offers/{offer_id}",
    ),
    _type(m.SeatOfferExpiredV1): Rule(
        "seat_offer_expired", Category.MEMBERSHIP, People(("user_id",)), link=_COMMUNITY
    ),
    # A join is good news for the staff, not worth an email each: the feed is enough.
    _type(m.MemberJoinedV1): Rule(
        "member_joined",
        Category.MEMBERSHIP,
        CommunityRoles(STAFF),
        urgency=Urgency.LOW,
        channels=IN_APP_ONLY,
        link=_COMMUNITY + "/members",
    ),
    _type(m.CodeOfConductPublishedV1): Rule(
        "code_of_conduct_published",
        Category.MEMBERSHIP,
        CommunityRoles(EVERYONE),
        link=_COMMUNITY + "/code-of-conduct",
    ),
    _type(m.MemberRemovedV1): Rule(
        "member_removed", Category.MODERATION, People(("user_id",)), link="/communities"
    ),
    _type(m.MemberBannedV1): Rule(
        "member_banned", Category.MODERATION, People(("user_id",)), link="/communities"
    ),
    # The owner's account was erased: everyone left is told who runs the community now, or
    # that it was archived for want of a moderator to take it over.
    _type(m.CommunityHandedOverV1): Rule(
        "community_archived_ownerless",
        Category.MEMBERSHIP,
        CommunityRoles(EVERYONE),
        actor=None,
        link=_COMMUNITY,
        variant=("new_owner_id", "community_handed_over"),
    ),
    _type(m.MemberRoleChangedV1): Rule(
        "member_role_changed", Category.MEMBERSHIP, People(("user_id",)), link=_COMMUNITY
    ),
    # membership.introductions.v1: the other party; a decline is left unsaid on purpose.
    _type(m.IntroductionRequestedV1): Rule(
        "introduction_requested",
        Category.MEMBERSHIP,
        People(("recipient_id",)),
        actor="requester_id",
        link="/introductions/{introduction_id}",
    ),
    _type(m.IntroductionAcceptedV1): Rule(
        "introduction_accepted",
        Category.MEMBERSHIP,
        People(("requester_id",)),
        actor="recipient_id",
        link="/introductions/{introduction_id}",
    ),
    # content.*: discussions go to the digest by default (see the preferences' defaults).
    _type(c.ThreadCreatedV1): Rule(
        "thread_created",
        Category.DISCUSSIONS,
        CommunityRoles(EVERYONE),
        urgency=Urgency.LOW,
        link=_THREAD,
    ),
    _type(c.ReplyPostedV1): Rule(
        "reply_posted",
        Category.DISCUSSIONS,
        People(("follower_ids", "parent_author_id", "thread_author_id")),
        link=_THREAD,
    ),
    _type(c.MemberMentionedV1): Rule(
        "member_mentioned", Category.MENTIONS, People(("mentioned_user_id",)), link=_THREAD
    ),
    _type(c.DirectMessageSentV1): Rule(
        "direct_message",
        Category.DIRECT_MESSAGES,
        People(("recipient_id",)),
        actor="sender_id",
        link="/messages/{conversation_id}",
    ),
    _type(c.PostModeratedV1): Rule(
        "post_moderated", Category.MODERATION, People(("author_id",)), link=_COMMUNITY
    ),
    # events.*: the people concerned are named by the event itself.
    _type(g.GatheringScheduledV1): Rule(
        "gathering_scheduled", Category.EVENTS, CommunityRoles(EVERYONE), link=_GATHERING
    ),
    _type(g.GatheringChangedV1): Rule(
        "gathering_changed",
        Category.EVENTS,
        People(("attendee_ids", "waitlist_ids")),
        escalate="critical",
        critical_within=IMMINENT,
        link=_GATHERING,
    ),
    # A cancellation is always flagged critical by its producer; it goes through quiet hours
    # only when the gathering was due within a day.
    _type(g.GatheringCancelledV1): Rule(
        "gathering_cancelled",
        Category.EVENTS,
        People(("attendee_ids", "waitlist_ids")),
        urgency=Urgency.HIGH,
        escalate="critical",
        critical_within=IMMINENT,
        link=_GATHERING,
    ),
    _type(g.WaitlistPromotedV1): Rule(
        "waitlist_promoted",
        Category.EVENTS,
        People(("user_id",)),
        urgency=Urgency.HIGH,
        link=_GATHERING,
    ),
    _type(g.ReminderDueV1): Rule(
        "gathering_reminder",
        Category.EVENTS,
        People(("attendee_ids",)),
        actor=None,
        urgency=Urgency.HIGH,
        link=_GATHERING,
    ),
}

#: Event types whose payload must never leave the platform (they carry secrets or mail).
PRIVATE_EVENT_TYPES = frozenset(
    {
        _type(m.EmailVerificationRequestedV2),
        _type(m.PasswordResetRequestedV2),
        _type(m.InvitationSentV2),
        _type(c.DirectMessageSentV1),
    }
)


def rule_for(
    event_type: str, data: Mapping[str, Any] | None = None, *, now: datetime | None = None
) -> Rule | None:
    """The rule for an event type (as it applies to ``data`` at ``now``), if anyone is to be
    told."""
    rule = RULES.get(event_type)
    if rule is None or data is None:
        return rule
    if rule.told_elsewhere is not None:
        field, value = rule.told_elsewhere
        if data.get(field) == value:
            return None
    return rule.for_event(data, now)


def _ids(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, Iterable):
        return (v for v in value if isinstance(v, str) and v)
    return ()


def recipients(rule: Rule, data: Mapping[str, Any], roles: Mapping[str, str]) -> list[str]:
    """The user ids (or, for ``EmailAddress``, the address) to tell, actor excluded, in order.

    ``roles`` maps the community's members to their role; it is only read for
    ``CommunityRoles`` audiences.
    """
    match rule.audience:
        case People(fields):
            chosen = [user for name in fields for user in _ids(data.get(name))]
        case CommunityRoles(wanted):
            chosen = [user for user, role in roles.items() if role in wanted]
        case EmailAddress(field, user_field):
            user = data.get(user_field) if user_field else None
            chosen = [user or str(data[field]).strip().lower()]
    actor = data.get(rule.actor) if rule.actor else None
    return list(dict.fromkeys(user for user in chosen if user != actor))
