"""Admission and networking rules, without I/O: answers, applications, invitations, matching."""

from datetime import UTC, datetime, timedelta

import pytest

from cerchia_chassis.domain.cursors import InvalidCursor, encode_cursor
from cerchia_chassis.domain.errors import Conflict, Invalid, NotFound
from membership.domain.admission import (
    Application,
    Invitation,
    InvitationForSomeoneElse,
    check_answers,
    hash_token,
)
from membership.domain.communities import ScreeningQuestion
from membership.domain.directory import DirectoryQuery, Listing, page
from membership.domain.introductions import Introduction, keywords, suggest
from membership.domain.memberships import newcomer
from membership.domain.public_profiles import PublicProfile

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


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
    with pytest.raises(InvitationForSomeoneElse):  # only the invited address may use it
        invitation.used("v", "eve@example.org", NOW)
    used = invitation.used("u", "ADA@example.org", NOW + timedelta(hours=1))
    assert (used.status, used.used_by, used.uses) == ("accepted", "u", 1)
    with pytest.raises(NotFound):
        used.used("v", "ada@example.org", NOW)
    with pytest.raises(NotFound):
        invitation.used("u", "ada@example.org", NOW + timedelta(days=1))
    with pytest.raises(NotFound):
        invitation.revoked(NOW).used("u", "ada@example.org", NOW)
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

    def ids(query: DirectoryQuery) -> list[str]:
        return [x.profile.user_id for x in page(listings, query).items]

    assert ids(DirectoryQuery(text="ADA")) == ["1", "3"]
    assert ids(DirectoryQuery(text="@bru")) == ["2"]
    assert ids(DirectoryQuery(skill="PYTHON")) == ["1", "3"]
    assert ids(DirectoryQuery(interest="jazz")) == ["2"]
    first = page(listings, DirectoryQuery(limit=2))
    assert [x.profile.user_id for x in first.items] == ["4", "1"]
    rest = page(listings, DirectoryQuery(limit=2, cursor=first.next_cursor))
    assert [x.profile.user_id for x in rest.items] == ["3", "2"]
    assert rest.next_cursor is None


def test_a_directory_cursor_from_elsewhere_is_refused() -> None:
    for foreign in ("bm90IGEgY3Vyc29y", encode_cursor(("ada",)), encode_cursor((1, "x"))):
        with pytest.raises(InvalidCursor):
            DirectoryQuery(cursor=foreign)


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


def test_only_a_pending_application_is_withdrawn_and_the_applicant_steps_out() -> None:
    application = Application.submit(
        community_id="c", applicant_id="u", answers=(), code_version=1, now=NOW
    )
    withdrawn = application.withdrawn(NOW)
    assert (withdrawn.status, withdrawn.decided_by) == ("withdrawn", "u")
    with pytest.raises(Conflict):
        withdrawn.withdrawn(NOW)
    with pytest.raises(Conflict):
        application.decided("approved", by="m", reason="ok", now=NOW).withdrawn(NOW)
    standing = newcomer("c", "u", NOW).applied(application.id, NOW)
    assert standing.withdrew(NOW).state == "former"
    with pytest.raises(Conflict):
        standing.withdrew(NOW).withdrew(NOW)


def test_a_link_admits_anyone_who_holds_it_up_to_its_number_of_uses() -> None:
    link, token = Invitation.link(
        community_id="c", invited_by="m", max_uses=2, ttl=timedelta(days=1), now=NOW
    )
    assert (link.kind, link.email, link.token_hash) == ("link", None, hash_token(token))
    once = link.used("u", "u@example.org", NOW)
    assert (once.status, once.uses) == ("pending", 1)
    twice = once.used("v", "v@example.org", NOW)
    assert (twice.status, twice.uses, twice.closed_at) == ("accepted", 2, NOW)
    with pytest.raises(NotFound):
        twice.used("w", "w@example.org", NOW)
    with pytest.raises(NotFound):
        link.used("u", "u@example.org", NOW + timedelta(days=1))
    for uses in (0, 501):
        with pytest.raises(Invalid):
            Invitation.link(
                community_id="c", invited_by="m", max_uses=uses, ttl=timedelta(days=1), now=NOW
            )
