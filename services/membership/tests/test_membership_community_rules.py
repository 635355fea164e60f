"""The community rules, without I/O: capacity, waitlist, offers, code of conduct, roles, bans."""

from datetime import UTC, datetime, timedelta

import pytest

from membership.domain.admission import Application, Invitation, check_answers, hash_token
from membership.domain.communities import (
    MAX_CAPACITY,
    Community,
    Details,
    ScreeningQuestion,
    Seats,
)
from membership.domain.directory import DirectoryQuery, Listing, page
from membership.domain.introductions import Introduction, keywords, suggest
from membership.domain.memberships import Membership, can_see, ensure_admissible, newcomer
from membership.domain.public_profiles import PublicProfile
from membership.domain.refusals import Conflict, Forbidden, Invalid, NotFound
from membership.domain.roles import ensure_can_discipline, role_changes
from membership.domain.waitlist import Place, SeatOffer, next_in_line, position

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DETAILS = Details(
    name="  Python   a Bologna ",
    slug="python-bologna",
    purpose="Grow together.",
    audience="Developers.",
    tags=("Python", " python ", "Code  Review"),
    language="it",
    visibility="public",
    join_policy="open",
)


def found(capacity: int = 10) -> Community:
    return Community.found(
        details=DETAILS,
        capacity=capacity,
        owner_id="owner",
        code_of_conduct="Be kind.",
        questions=(),
        now=NOW,
    )


def member(user: str = "u", role: str = "member") -> Membership:
    return newcomer("c", user, NOW).joined(role=role, code_version=1, now=NOW)


def waiting(user: str, sequence: int) -> Membership:
    return newcomer("c", user, NOW).waitlisted(sequence, code_version=1, now=NOW)


# Capacity


def test_a_new_community_seats_its_founder_and_normalises_its_description() -> None:
    community = found(capacity=10)
    assert community.seats == Seats(capacity=10, members=1, free=9)
    assert community.details.name == "Python a Bologna"
    assert community.details.tags == ("python", "code review")
    assert community.code_of_conduct.version == 1


@pytest.mark.parametrize("capacity", [0, -1, MAX_CAPACITY + 1])
def test_capacity_has_a_hard_platform_cap(capacity: int) -> None:
    with pytest.raises(Invalid) as refused:
        found(capacity=capacity)
    assert refused.value.code == "capacity-out-of-range"


def test_capacity_cannot_drop_below_members_and_held_offers() -> None:
    seats = Seats(capacity=10, members=7, free=1)  # two seats held for offers
    assert seats.offered == 2
    assert seats.resized(9) == Seats(capacity=9, members=7, free=0)
    assert seats.resized(15).free == 6
    with pytest.raises(Conflict):
        seats.resized(8)


def test_invalid_slug_is_refused() -> None:
    with pytest.raises(Invalid):
        Community.found(
            details=Details(**{**DETAILS.__dict__, "slug": "Bad Slug"}),
            capacity=5,
            owner_id="o",
            code_of_conduct="x",
            questions=(),
            now=NOW,
        )


def test_at_most_five_distinct_screening_questions() -> None:
    six = tuple(ScreeningQuestion(id=f"q{i}", prompt="?", required=True) for i in range(6))
    community = found()
    with pytest.raises(Invalid):
        community.revised(details=DETAILS, capacity=10, questions=six, now=NOW)
    with pytest.raises(Invalid):
        community.revised(details=DETAILS, capacity=10, questions=six[:1] * 2, now=NOW)


# Waitlist order and offers


def test_the_lowest_sequence_is_next_in_line_and_positions_follow_it() -> None:
    places = [Place("c", 7), Place("a", 3), Place("b", 5)]
    assert next_in_line(places) == Place("a", 3)
    assert next_in_line([]) is None
    assert [position(s, [3, 5, 7]) for s in (3, 5, 7)] == [1, 2, 3]
    assert position(7, [5, 7]) == 2  # someone ahead left: everyone behind moves up


def test_an_offer_lapses_exactly_at_its_expiry() -> None:
    offer = SeatOffer.new(now=NOW, ttl=timedelta(hours=48))
    assert offer.expires_at == NOW + timedelta(hours=48)
    assert not offer.expired(NOW + timedelta(hours=47, minutes=59))
    assert offer.expired(NOW + timedelta(hours=48))
    with pytest.raises(ValueError, match="positive"):
        SeatOffer.new(now=NOW, ttl=timedelta(0))


def test_only_the_person_waiting_can_be_offered_and_must_answer_in_time() -> None:
    offer = SeatOffer.new(now=NOW, ttl=timedelta(hours=1))
    with pytest.raises(Conflict):
        member().offered(offer)
    offered = waiting("w", 1).offered(offer)
    assert offered.state == "offered"
    assert offered.waiting
    joined = offered.accept_offer(code_version=2, now=NOW + timedelta(minutes=59))
    assert (joined.state, joined.role, joined.code_version, joined.offer) == (
        "member",
        "member",
        2,
        None,
    )
    with pytest.raises(Conflict) as late:
        offered.accept_offer(code_version=2, now=NOW + timedelta(hours=1))
    assert late.value.code == "seat-offer-expired"
    with pytest.raises(Conflict):
        waiting("w", 1).accept_offer(code_version=1, now=NOW)  # no offer, no skipping
    assert offered.closed_offer(NOW).state == "former"


# Admission and bans


def test_nobody_is_admitted_twice_or_while_banned() -> None:
    ensure_admissible(None, route="open")
    ensure_admissible(newcomer("c", "u", NOW), route="invitation")  # a former member may return
    with pytest.raises(Forbidden) as banned:
        ensure_admissible(member().banned("spam", NOW), route="invitation")
    assert banned.value.code == "banned"
    with pytest.raises(Conflict):
        ensure_admissible(member(), route="open")
    with pytest.raises(Conflict):
        ensure_admissible(waiting("u", 4), route="application")
    applicant = newcomer("c", "u", NOW).applied("app", NOW)
    ensure_admissible(applicant, route="application")
    with pytest.raises(Conflict):
        ensure_admissible(applicant, route="open")


def test_a_ban_clears_role_and_place_and_keeps_the_reason() -> None:
    banned = member(role="moderator").banned("harassment", NOW)
    assert (banned.state, banned.role, banned.sequence, banned.reason) == (
        "banned",
        None,
        None,
        "harassment",
    )
    assert not banned.is_member


def test_private_communities_are_visible_to_members_and_people_in_line_only() -> None:
    assert can_see("public", None)
    assert can_see("unlisted", None)
    assert not can_see("private", None)
    assert can_see("private", member())
    assert can_see("private", waiting("w", 1))
    assert not can_see("private", member().banned("x", NOW))
    assert not can_see("private", member().former(NOW))


def test_the_owner_cannot_leave_without_handing_over() -> None:
    with pytest.raises(Conflict) as refused:
        member(role="owner").left(NOW)
    assert refused.value.code == "owner-cannot-leave"
    assert member().left(NOW).state == "former"
    assert waiting("w", 2).left(NOW).state == "former"
    with pytest.raises(Conflict):
        newcomer("c", "u", NOW).left(NOW)


# Code of conduct


def test_a_new_code_version_requires_every_member_to_accept_again() -> None:
    community = found()
    someone = member()
    assert not someone.needs_code_acceptance(community.code_of_conduct.version)
    v2 = community.with_code_of_conduct("Be kinder.", by="owner", now=NOW)
    assert v2.code_of_conduct.version == 2
    assert someone.needs_code_acceptance(2)
    with pytest.raises(Conflict) as stale:
        v2.ensure_current_code(1)
    assert stale.value.code == "code-of-conduct-outdated"
    accepted = someone.accept_code(2, NOW + timedelta(days=1))
    assert (accepted.code_version, accepted.code_accepted_at) == (2, NOW + timedelta(days=1))
    assert not accepted.needs_code_acceptance(2)
    with pytest.raises(Forbidden):
        waiting("w", 1).accept_code(2, NOW)


def test_an_archived_community_changes_no_more() -> None:
    archived = found().archive(NOW)
    with pytest.raises(Conflict):
        archived.with_code_of_conduct("x", by="owner", now=NOW)
    with pytest.raises(Conflict):
        archived.archive(NOW)


# Roles


def test_ownership_transfer_keeps_exactly_one_owner() -> None:
    changes = role_changes(
        actor_id="o", actor_role="owner", target_id="m", target_role="moderator", new_role="owner"
    )
    assert changes == [("m", "moderator", "owner"), ("o", "owner", "moderator")]
    roles = {"o": "owner", "m": "moderator", "x": "member"}
    for user, _, new in changes:
        roles[user] = new
    assert list(roles.values()).count("owner") == 1


def test_only_the_owner_changes_roles() -> None:
    for actor in ("moderator", "member", None):
        with pytest.raises(Forbidden):
            role_changes(
                actor_id="a",
                actor_role=actor,
                target_id="t",
                target_role="member",
                new_role="moderator",
            )
    with pytest.raises(Conflict):
        role_changes(
            actor_id="o", actor_role="owner", target_id="t", target_role="member", new_role="member"
        )
    with pytest.raises(Conflict):
        role_changes(
            actor_id="o", actor_role="owner", target_id="o", target_role="owner", new_role="member"
        )


def test_moderators_discipline_members_only_the_owner_moderators_nobody_the_owner() -> None:
    ensure_can_discipline("moderator", "member", self_=False)
    ensure_can_discipline("owner", "moderator", self_=False)
    ensure_can_discipline("moderator", None, self_=False)  # banning a non-member
    with pytest.raises(Forbidden):
        ensure_can_discipline("moderator", "moderator", self_=False)
    with pytest.raises(Forbidden):
        ensure_can_discipline("owner", "owner", self_=False)
    with pytest.raises(Forbidden):
        ensure_can_discipline("member", "member", self_=False)
    with pytest.raises(Conflict):
        ensure_can_discipline("moderator", "moderator", self_=True)


# Applications and invitations


QUESTIONS = (
    ScreeningQuestion(id="why", prompt="Why?", required=True),
    ScreeningQuestion(id="site", prompt="Site?", required=False),
)


def test_required_answers_must_be_given_and_unknown_ones_are_refused() -> None:
    answers = check_answers(QUESTIONS, {"why": "  to learn ", "site": ""})
    assert [(a.question_id, a.text) for a in answers] == [("why", "to learn")]
    with pytest.raises(Invalid) as missing:
        check_answers(QUESTIONS, {"why": "   "})
    assert missing.value.code == "answer-required"
    with pytest.raises(Invalid) as unknown:
        check_answers(QUESTIONS, {"why": "x", "age": "3"})
    assert unknown.value.code == "unknown-question"


def test_an_application_is_decided_once_with_a_reason() -> None:
    application = Application.submit(
        community_id="c", applicant_id="u", answers=(), code_version=1, now=NOW
    )
    with pytest.raises(Invalid):
        application.decided("approved", by="m", reason=" ", now=NOW)
    approved = application.decided("approved", by="m", reason=" fits ", now=NOW)
    assert (approved.status, approved.reason, approved.decided_by) == ("approved", "fits", "m")
    with pytest.raises(Conflict):
        approved.decided("rejected", by="m", reason="no", now=NOW)


def test_an_invitation_works_once_before_expiry_unless_revoked() -> None:
    invitation, token = Invitation.issue(
        community_id="c", email=" Ada@Example.org", invited_by="m", ttl=timedelta(days=1), now=NOW
    )
    assert invitation.email == "ada@example.org"
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    used = invitation.used("u", NOW + timedelta(hours=1))
    assert (used.status, used.used_by) == ("accepted", "u")
    with pytest.raises(NotFound):
        used.used("v", NOW)
    with pytest.raises(NotFound):
        invitation.used("u", NOW + timedelta(days=1))
    with pytest.raises(NotFound):
        invitation.revoked(NOW).used("u", NOW)
    with pytest.raises(Conflict):
        used.revoked(NOW)
    with pytest.raises(Invalid):
        Invitation.issue(
            community_id="c", email="a@b.c", invited_by="m", ttl=timedelta(days=31), now=NOW
        )


# Directory and introductions


def profile(user: str, name: str, **fields: tuple[str, ...] | str) -> PublicProfile:
    return PublicProfile(user_id=user, display_name=name, **fields)


def test_directory_searches_filters_and_pages_by_name() -> None:
    listings = [
        Listing(profile("1", "Ada", handle="ada", skills=("Python",)), "owner", NOW),
        Listing(profile("2", "Bruno", handle="bru", interests=("Jazz",)), "member", NOW),
        Listing(profile("3", "adalberto", skills=("python", "go")), "member", NOW),
        Listing(PublicProfile.unknown("4"), "member", NOW),
    ]
    assert [x.profile.user_id for x in page(listings, DirectoryQuery(text="ADA"))[0]] == ["1", "3"]
    assert [x.profile.user_id for x in page(listings, DirectoryQuery(text="@bru"))[0]] == ["2"]
    assert [x.profile.user_id for x in page(listings, DirectoryQuery(skill="PYTHON"))[0]] == [
        "1",
        "3",
    ]
    assert [x.profile.user_id for x in page(listings, DirectoryQuery(interest="jazz"))[0]] == ["2"]
    first, after = page(listings, DirectoryQuery(limit=2))
    assert [x.profile.user_id for x in first] == ["4", "1"]
    rest, end = page(listings, DirectoryQuery(limit=2, after=after))
    assert [x.profile.user_id for x in rest] == ["3", "2"]
    assert end is None


def test_suggestions_rank_offers_that_meet_my_asks_first_with_reasons() -> None:
    me = profile(
        "me",
        "Me",
        asks=("a mentor for Django",),
        offers=("help with SQL tuning",),
        interests=("Jazz",),
    )
    mentor = profile("m", "Mentor", offers=("Django code reviews",))
    learner = profile("l", "Learner", asks=("learning SQL",))
    fan = profile("f", "Fan", interests=("jazz",))
    stranger = profile("s", "Stranger", offers=("knitting",))
    ranked = suggest(me, [(p, "c") for p in (fan, stranger, learner, mentor, me)], limit=10)
    assert [s.profile.user_id for s in ranked] == ["m", "l", "f"]
    assert ranked[0].reasons == (
        'Offers "Django code reviews", which matches your ask "a mentor for Django".',
    )
    assert "SQL" in ranked[1].reasons[0]
    assert ranked[2].reasons == ('Shares your interest in "Jazz".',)
    assert keywords("I can help with Python") == {"python"}


def test_introductions_are_double_opt_in() -> None:
    with pytest.raises(Invalid):
        Introduction.request(
            community_id="c", requester_id="a", recipient_id="a", note="hi", now=NOW
        )
    intro = Introduction.request(
        community_id="c", requester_id="a", recipient_id="b", note=" hi ", now=NOW
    )
    assert (
        intro.pair
        == Introduction.request(
            community_id="c", requester_id="b", recipient_id="a", note="x", now=NOW
        ).pair
    )
    assert not intro.shares_contacts_with("a")
    with pytest.raises(Conflict):
        intro.answered(by="a", accept=True, now=NOW)  # the requester cannot opt in for both
    with pytest.raises(NotFound):
        intro.answered(by="z", accept=True, now=NOW)
    accepted = intro.answered(by="b", accept=True, now=NOW)
    assert accepted.shares_contacts_with("a")
    assert accepted.shares_contacts_with("b")
    assert not accepted.shares_contacts_with("z")
    with pytest.raises(Conflict):
        accepted.answered(by="b", accept=False, now=NOW)
    declined = intro.answered(by="b", accept=False, now=NOW)
    assert not declined.shares_contacts_with("a")
