"""The community rules, without I/O: capacity, waitlist, offers, code of conduct, roles, bans."""

from datetime import UTC, datetime, timedelta

import pytest

from cerchia_chassis.domain.errors import Conflict, Forbidden, Invalid
from membership.domain.communities import (
    MAX_CAPACITY,
    Community,
    Details,
    ScreeningQuestion,
    Seats,
)
from membership.domain.memberships import Membership, can_see, ensure_admissible, newcomer
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


def test_lifting_a_ban_makes_a_former_member_who_may_come_back() -> None:
    banned = member("b").banned("Spam", NOW)
    lifted = banned.unbanned(NOW)
    assert (lifted.state, lifted.role, lifted.reason) == ("former", None, None)
    ensure_admissible(lifted, route="open")
    with pytest.raises(Conflict) as refused:
        lifted.unbanned(NOW)
    assert refused.value.code == "not-banned"


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
