"""The recipients table: who hears about what, and never the actor."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cerchia_contracts.events import membership as m
from notifications.adapters.messages import NOTICES, Copy, moment_text
from notifications.domain.categories import Category, Urgency
from notifications.domain.deliveries import Channel
from notifications.domain.rules import (
    PRIVATE_EVENT_TYPES,
    RULES,
    CommunityRoles,
    EmailAddress,
    People,
    recipients,
    rule_for,
)

pytestmark = pytest.mark.unit

ROLES = {"olga": "owner", "marco": "moderator", "ada": "member", "bo": "member"}


def who(event: type[Any], data: dict[str, Any]) -> list[str]:
    rule = rule_for(event.event_type())
    assert rule is not None
    return recipients(rule, data, ROLES)


def test_an_application_goes_to_owner_and_moderators_not_to_members() -> None:
    data = {"community_id": "c", "actor_id": "zoe", "applicant_id": "zoe", "application_id": "a"}
    assert who(m.ApplicationSubmittedV1, data) == ["olga", "marco"]


def test_a_moderator_applying_elsewhere_is_not_told_of_their_own_application() -> None:
    data = {"community_id": "c", "actor_id": "marco", "applicant_id": "marco"}
    assert who(m.ApplicationSubmittedV1, data) == ["olga"]


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (m.ApplicationApprovedV1, "applicant_id"),
        (m.ApplicationRejectedV1, "applicant_id"),
        (m.MemberWaitlistedV1, "user_id"),
        (m.SeatOfferedV1, "user_id"),
        (m.SeatOfferExpiredV1, "user_id"),
        (m.MemberRemovedV1, "user_id"),
        (m.MemberBannedV1, "user_id"),
        (m.MemberRoleChangedV1, "user_id"),
    ],
)
def test_decisions_reach_the_person_concerned(event: type[Any], field: str) -> None:
    assert who(event, {"community_id": "c", "actor_id": "marco", field: "zoe"}) == ["zoe"]


def test_a_new_code_of_conduct_reaches_every_member_but_its_publisher() -> None:
    data = {"community_id": "c", "actor_id": "olga", "version": 2}
    assert who(m.CodeOfConductPublishedV1, data) == ["marco", "ada", "bo"]


def test_a_join_tells_the_staff_in_the_feed_only() -> None:
    data = {"community_id": "c", "actor_id": "bo", "user_id": "bo"}
    assert who(m.MemberJoinedV1, data) == ["olga", "marco"]
    rule = rule_for(m.MemberJoinedV1.event_type())
    assert rule is not None
    assert rule.channels == {Channel.IN_APP}


def test_introductions_reach_the_other_party_only() -> None:
    data = {"requester_id": "ada", "recipient_id": "bo", "introduction_id": "i"}
    assert who(m.IntroductionRequestedV1, data) == ["bo"]
    assert who(m.IntroductionAcceptedV1, data) == ["ada"]
    assert rule_for(m.IntroductionDeclinedV1.event_type()) is None


def test_security_links_go_to_the_address_are_critical_and_never_leave_the_platform() -> None:
    for event in (m.EmailVerificationRequestedV2, m.PasswordResetRequestedV2):
        rule = rule_for(event.event_type())
        assert rule is not None
        assert rule.urgency is Urgency.CRITICAL
        assert rule.category is Category.ACCOUNT
        assert rule.sensitive
        assert recipients(rule, {"user_id": "u", "email": "A@x.org"}, {}) == ["u"]
        assert event.event_type() in PRIVATE_EVENT_TYPES
    invitation = rule_for(m.InvitationSentV2.event_type())
    assert invitation is not None
    assert recipients(invitation, {"email": " New@Example.org "}, {}) == ["new@example.org"]
    assert invitation.link_for({"token": "t0k"}) == "/accept-invitation?token=t0k"


def test_a_changed_password_is_told_to_its_owner_through_quiet_hours_and_preferences() -> None:
    rule = rule_for(m.PasswordChangedV1.event_type())
    assert rule is not None
    assert rule.urgency is Urgency.CRITICAL
    assert rule.category is Category.ACCOUNT
    assert not rule.sensitive
    assert recipients(rule, {"user_id": "u", "cause": "reset"}, {}) == ["u"]


def test_events_without_a_row_notify_nobody() -> None:
    for event in (m.EmailVerifiedV1, m.ProfileUpdatedV1, m.MemberLeftV1, m.CommunityUpdatedV1):
        assert rule_for(event.event_type()) is None


def test_every_row_has_copy_and_a_link_its_event_can_fill() -> None:
    for event_type, rule in RULES.items():
        assert rule.kind in NOTICES, event_type
        assert rule.link.startswith("/")
        if isinstance(rule.audience, People | EmailAddress | CommunityRoles):
            continue
        raise AssertionError(f"unknown audience in {event_type}")


def test_the_actor_is_never_a_recipient_whatever_the_row() -> None:
    everyone = dict.fromkeys(("a", "b", "c"), "owner")
    for rule in RULES.values():
        if rule.actor is None:
            continue
        data: dict[str, Any] = dict.fromkeys(
            ("user_id", "applicant_id", "recipient_id", "requester_id"), "a"
        )
        data |= {"community_id": "c", rule.actor: "a"}
        assert "a" not in recipients(rule, data, everyone)


def test_content_and_gathering_events_reach_the_people_they_name() -> None:
    from cerchia_contracts.events import content as c
    from cerchia_contracts.events import gatherings as g

    reply = {"community_id": "c", "actor_id": "bo", "thread_id": "t", "thread_author_id": "ada"}
    reply |= {"follower_ids": ["ada", "bo", "zoe"], "parent_author_id": None}
    assert who(c.ReplyPostedV1, reply) == ["ada", "zoe"]
    assert who(c.MemberMentionedV1, {"actor_id": "bo", "mentioned_user_id": "ada"}) == ["ada"]
    dm = {"sender_id": "bo", "recipient_id": "ada", "conversation_id": "x"}
    assert who(c.DirectMessageSentV1, dm) == ["ada"]
    assert c.DirectMessageSentV1.event_type() in PRIVATE_EVENT_TYPES
    changed = {"community_id": "c", "actor_id": "olga", "gathering_id": "e"}
    changed |= {"attendee_ids": ["ada", "olga"], "waitlist_ids": ["bo"], "critical": True}
    assert who(g.GatheringChangedV1, changed) == ["ada", "bo"]
    reminder = {"community_id": "c", "actor_id": None, "attendee_ids": ["ada", "bo"]}
    assert who(g.ReminderDueV1, reminder) == ["ada", "bo"]


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def urgency(event: type[Any], data: dict[str, Any]) -> Urgency:
    rule = rule_for(event.event_type(), data, now=NOW)
    assert rule is not None
    return rule.urgency


@pytest.mark.parametrize(
    ("starts_in", "expected"),
    [
        (timedelta(hours=3), Urgency.CRITICAL),
        (timedelta(hours=23, minutes=59), Urgency.CRITICAL),
        (timedelta(hours=24, minutes=1), Urgency.HIGH),
        (timedelta(days=10), Urgency.HIGH),
    ],
)
def test_a_cancellation_is_critical_only_within_a_day_of_the_start(
    starts_in: timedelta, expected: Urgency
) -> None:
    from cerchia_contracts.events import gatherings as g

    data = {"attendee_ids": ["ada"], "critical": True}
    data["starts_at"] = (NOW + starts_in).isoformat().replace("+00:00", "Z")
    assert urgency(g.GatheringCancelledV1, data) is expected


def test_a_change_is_critical_when_it_matters_and_the_old_or_new_start_is_within_a_day() -> None:
    from cerchia_contracts.events import gatherings as g

    soon, later = (NOW + timedelta(hours=5)).isoformat(), (NOW + timedelta(days=7)).isoformat()
    changed = {"attendee_ids": ["ada"], "critical": True, "starts_at": soon}
    assert urgency(g.GatheringChangedV1, changed) is Urgency.CRITICAL
    # Moved from tomorrow morning to next week: the attendees must hear it tonight.
    moved = {**changed, "starts_at": later, "previous_starts_at": soon}
    assert urgency(g.GatheringChangedV1, moved) is Urgency.CRITICAL
    assert urgency(g.GatheringChangedV1, {**changed, "starts_at": later}) is Urgency.HIGH
    # A description edit is not critical, however close.
    assert urgency(g.GatheringChangedV1, {**changed, "critical": False}) is Urgency.NORMAL


def test_a_moment_is_shown_in_the_readers_zone_and_language_and_names_the_zone() -> None:
    moment = datetime(2026, 12, 4, 4, 9, 38, tzinfo=UTC)
    assert moment_text(moment, "America/New_York", "en") == "Dec 3, 2026, 11:09\u202fPM EST"
    assert moment_text(moment, "Europe/Rome", "it") == "4 dic 2026, 05:09 CET"
    # Where the language has no common abbreviation, the zone's id says it.
    assert moment_text(moment, "Asia/Tokyo", "en") == "Dec 4, 2026, 1:09\u202fPM (Asia/Tokyo)"
    assert moment_text(moment, None, "en") == "Dec 4, 2026, 5:09\u202fAM (Europe/Rome)"
    assert moment_text(moment, "Not/AZone", "en").endswith("(Europe/Rome)")


def test_every_time_in_a_notice_names_its_zone() -> None:
    starts = "2026-12-04T04:09:38+00:00"
    copy = Copy()
    for kind, context in (
        ("gathering_reminder", {"title": "T", "starts_at": starts, "timezone": "Asia/Tokyo"}),
        ("gathering_cancelled", {"title": "T", "starts_at": starts, "time_zone": "Europe/Rome"}),
        ("seat_offered", {"community": "C", "expires_at": starts, "timezone": "America/New_York"}),
    ):
        _, body = copy.notice(kind, "en", context)
        assert re.search(r"(AM|PM) (EST|\(Europe/Rome\)|\(Asia/Tokyo\))", body), (kind, body)


def test_an_approval_into_a_full_community_is_one_message_with_the_place_in_line() -> None:
    approved = m.ApplicationApprovedV1.event_type()
    waitlisted = m.MemberWaitlistedV1.event_type()
    base = {"community_id": "c", "applicant_id": "ada", "application_id": "a", "reason": ""}
    joined = rule_for(approved, {**base, "waitlist_position": None})
    assert joined is not None
    assert joined.kind == "application_approved"
    full = rule_for(approved, {**base, "waitlist_position": 3})
    assert full is not None
    assert full.kind == "application_approved_waitlisted"
    in_line = {"community_id": "c", "user_id": "ada", "position": 3}
    assert rule_for(waitlisted, {**in_line, "via": "application"}) is None
    for via in ("open", "invitation", None):
        told = rule_for(waitlisted, {**in_line, "via": via})
        assert told is not None
        assert told.kind == "member_waitlisted"
    for locale, words in (("en", "number 3"), ("it", "numero 3")):
        title, body = Copy().notice(
            full.kind, locale, {"community": "Lettori", "waitlist_position": 3}
        )
        assert "Lettori" in title
        assert words in body
