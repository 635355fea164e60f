"""Admission use cases over in-memory ports: open joins, applications, withdrawal, invitations."""

from datetime import timedelta

import pytest

from cerchia_chassis.domain.errors import Conflict, EmailNotVerified, Forbidden, NotFound
from cerchia_contracts.events import membership as ev
from membership.domain.admission import InvitationForSomeoneElse, hash_token
from membership.service import admission as use
from membership.service import invitations as inviting
from membership.service.moderation import ban
from services.membership.tests.account_fakes import secret
from services.membership.tests.community_world import World, found, seat, world

pytestmark = pytest.mark.unit


@pytest.fixture
def w() -> World:
    return world()


async def test_an_open_join_takes_a_seat_then_queues_when_full(w: World) -> None:
    community = await found(w, "ada", capacity=2)
    seated = await use.join(community.id, user_id="bo", code_version=1, ports=w.ports)
    assert (seated.membership.state, seated.position) == ("member", None)
    assert w.emitted() == [ev.MemberJoinedV1]
    queued = [
        await use.join(community.id, user_id=u, code_version=1, ports=w.ports) for u in ("cy", "di")
    ]
    assert [q.position for q in queued] == [1, 2]
    assert w.emitted() == [ev.MemberWaitlistedV1, ev.MemberWaitlistedV1]
    assert w.last(ev.MemberWaitlistedV1).data.via == "open"
    assert w.community(community.id).seats.members == 2

    before = w.state()
    for user, version, code in [
        ("bo", 1, "already-member"),
        ("cy", 1, "already-waitlisted"),
        ("ed", 2, "code-of-conduct-outdated"),
    ]:
        with pytest.raises(Conflict) as refused:
            await use.join(community.id, user_id=user, code_version=version, ports=w.ports)
        assert refused.value.code == code
    assert w.state() == before


async def test_the_door_follows_the_join_policy(w: World) -> None:
    by_application = await found(w, "ada", join_policy="application")
    by_invitation = await found(w, "ada", join_policy="invite_only")
    with pytest.raises(Conflict) as refused:
        await use.join(by_application.id, user_id="bo", code_version=1, ports=w.ports)
    assert refused.value.code == "application-required"
    with pytest.raises(Conflict) as refused:
        await use.apply(by_invitation.id, user_id="bo", answers={}, code_version=1, ports=w.ports)
    assert refused.value.code == "invitation-required"


async def test_only_moderators_decide_and_a_refusal_writes_nothing(w: World) -> None:
    community = await found(w, "ada", join_policy="application")
    await seat(w, community, "mo", "plain")
    await w.ports.memberships.put(w.standing(community.id, "mo").with_role("moderator"), object())
    application = await use.apply(
        community.id, user_id="cy", answers={}, code_version=1, ports=w.ports
    )
    assert w.emitted() == [ev.ApplicationSubmittedV1]
    before = w.state()
    for actor in ("plain", "stranger"):
        with pytest.raises(Forbidden):
            await use.decide_application(
                community.id, application.id, approve=True, reason="ok", actor_id=actor,
                ports=w.ports,
            )  # fmt: skip
    assert w.state() == before

    decided, membership = await use.decide_application(
        community.id, application.id, approve=True, reason="Fits well.", actor_id="mo",
        ports=w.ports,
    )  # fmt: skip
    assert (decided.status, membership.state) == ("approved", "member")
    assert w.emitted() == [ev.ApplicationApprovedV1, ev.MemberJoinedV1]
    assert w.last(ev.MemberJoinedV1).data.via == "application"
    assert w.last(ev.ApplicationApprovedV1).data.waitlist_position is None
    assert w.store.audit[-1].action == "application_approved"
    with pytest.raises(Conflict) as refused:
        await use.decide_application(
            community.id, application.id, approve=False, reason="No.", actor_id="mo",
            ports=w.ports,
        )  # fmt: skip
    assert refused.value.code == "application-decided"


async def test_an_approval_into_a_full_community_says_where_in_line(w: World) -> None:
    community = await found(w, "ada", join_policy="application", capacity=1)
    application = await use.apply(
        community.id, user_id="cy", answers={}, code_version=1, ports=w.ports
    )
    w.emitted()
    decided, membership = await use.decide_application(
        community.id, application.id, approve=True, reason="Fits well.", actor_id="ada",
        ports=w.ports,
    )  # fmt: skip
    assert (decided.status, membership.state) == ("approved", "waitlisted")
    assert w.emitted() == [ev.ApplicationApprovedV1, ev.MemberWaitlistedV1]
    assert w.last(ev.ApplicationApprovedV1).data.waitlist_position == 1
    assert w.last(ev.MemberWaitlistedV1).data.via == "application"
    assert w.last(ev.MemberWaitlistedV1).data.position == 1


async def test_a_rejection_is_recorded_and_the_applicant_may_try_again(w: World) -> None:
    community = await found(w, "ada", join_policy="application")
    application = await use.apply(
        community.id, user_id="cy", answers={}, code_version=1, ports=w.ports
    )
    w.emitted()
    rejected, standing = await use.decide_application(
        community.id, application.id, approve=False, reason="Not the audience.", actor_id="ada",
        ports=w.ports,
    )  # fmt: skip
    assert (rejected.status, rejected.reason, standing.state) == (
        "rejected",
        "Not the audience.",
        "former",
    )
    assert w.emitted() == [ev.ApplicationRejectedV1]
    assert w.last(ev.ApplicationRejectedV1).data.reason == "Not the audience."
    await use.apply(community.id, user_id="cy", answers={}, code_version=1, ports=w.ports)


async def test_the_applicant_withdraws_and_nobody_else_can(w: World) -> None:
    community = await found(w, "ada", join_policy="application")
    application = await use.apply(
        community.id, user_id="cy", answers={}, code_version=1, ports=w.ports
    )
    w.emitted()
    before = w.state()
    with pytest.raises(Forbidden) as refused:
        await use.withdraw_application(community.id, application.id, user_id="ada", ports=w.ports)
    assert refused.value.code == "applicant-required"
    with pytest.raises(NotFound):
        await use.withdraw_application(community.id, application.id, user_id="bo", ports=w.ports)
    assert w.state() == before

    withdrawn = await use.withdraw_application(
        community.id, application.id, user_id="cy", ports=w.ports
    )
    assert withdrawn.status == "withdrawn"
    assert w.emitted() == [ev.ApplicationWithdrawnV1]
    event = w.last(ev.ApplicationWithdrawnV1)
    assert (event.data.actor_id, event.data.applicant_id) == ("cy", "cy")
    assert w.standing(community.id, "cy").state == "former"
    assert w.store.audit[-1].action == "application_withdrawn"
    with pytest.raises(Conflict) as refused:
        await use.withdraw_application(community.id, application.id, user_id="cy", ports=w.ports)
    assert refused.value.code == "application-decided"
    again = await use.apply(community.id, user_id="cy", answers={}, code_version=1, ports=w.ports)
    assert again.id != application.id


async def test_banning_an_applicant_closes_the_application(w: World) -> None:
    community = await found(w, "ada", join_policy="application")
    application = await use.apply(
        community.id, user_id="cy", answers={}, code_version=1, ports=w.ports
    )
    w.emitted()
    await ban(community.id, "cy", reason="Spam in the answers.", actor_id="ada", ports=w.ports)
    assert w.emitted() == [ev.MemberBannedV1, ev.ApplicationClosedV1]
    assert w.last(ev.ApplicationClosedV1).data.cause == "banned"
    assert w.store.applications[application.id].status == "closed"
    with pytest.raises(Forbidden) as refused:
        await use.apply(community.id, user_id="cy", answers={}, code_version=1, ports=w.ports)
    assert refused.value.code == "banned"


async def test_an_invitation_works_once_and_only_its_token_travels(w: World) -> None:
    community = await found(w, "ada", join_policy="invite_only", capacity=2)
    await seat(w, community, "plain")
    with pytest.raises(Forbidden):
        await inviting.invite(
            community.id, email="x@example.org", ttl=None, actor_id="plain", ports=w.ports
        )
    invitation = await inviting.invite(
        community.id, email="Grace@Example.org", ttl=timedelta(hours=1), actor_id="ada",
        ports=w.ports,
    )  # fmt: skip
    assert w.emitted() == [ev.InvitationSentV2]
    token = secret(w.last(ev.InvitationSentV2))
    assert invitation.token_hash == hash_token(token) != token

    _, admission = await inviting.accept_invitation(
        hash_token(token), user_id="grace", code_version=1, ports=w.ports
    )
    assert admission.position == 1  # full: grace waits in line
    assert w.emitted() == [ev.InvitationAcceptedV1, ev.MemberWaitlistedV1]
    with pytest.raises(NotFound):
        await inviting.accept_invitation(
            hash_token(token), user_id="other", code_version=1, ports=w.ports
        )


async def test_a_banned_person_cannot_use_an_invitation_and_it_stays_usable(w: World) -> None:
    community = await found(w, "ada", join_policy="invite_only")
    await ban(community.id, "eve", reason="Harassment.", actor_id="ada", ports=w.ports)
    await inviting.invite(
        community.id, email="eve@example.org", ttl=None, actor_id="ada", ports=w.ports
    )
    token = secret(w.last(ev.InvitationSentV2))
    w.emitted()
    before = w.state()
    with pytest.raises(Forbidden):
        await inviting.accept_invitation(
            hash_token(token), user_id="eve", code_version=1, ports=w.ports
        )
    assert w.state() == before  # the invitation was not spent
    assert w.emitted() == []


async def test_a_revoked_invitation_no_longer_works(w: World) -> None:
    community = await found(w, "ada", join_policy="invite_only")
    invitation = await inviting.invite(
        community.id, email="bo@example.org", ttl=None, actor_id="ada", ports=w.ports
    )
    token = secret(w.last(ev.InvitationSentV2))
    w.emitted()
    revoked = await inviting.revoke_invitation(
        community.id, invitation.id, actor_id="ada", ports=w.ports
    )
    assert revoked.status == "revoked"
    assert w.emitted() == [ev.InvitationRevokedV1]
    with pytest.raises(NotFound):
        await inviting.accept_invitation(
            hash_token(token), user_id="bo", code_version=1, ports=w.ports
        )
    with pytest.raises(Conflict):
        await inviting.revoke_invitation(community.id, invitation.id, actor_id="ada", ports=w.ports)


async def test_founding_joining_applying_and_accepting_need_a_verified_address(w: World) -> None:
    open_door = await found(w, "ada")
    screened = await found(w, "ada", join_policy="application")
    invited = await found(w, "ada", visibility="private", join_policy="invite_only")
    invitation = await inviting.invite(
        invited.id, email="ugo@example.org", ttl=None, actor_id="ada", ports=w.ports
    )
    token = secret(w.last(ev.InvitationSentV2))
    w.store.emails["ugo"] = "ugo@example.org"
    w.store.unverified.add("ugo")
    w.emitted()
    before = w.state()

    attempts = [
        use.join(open_door.id, user_id="ugo", code_version=1, ports=w.ports),
        use.apply(screened.id, user_id="ugo", answers={}, code_version=1, ports=w.ports),
        inviting.accept_invitation(hash_token(token), user_id="ugo", code_version=1, ports=w.ports),
    ]
    for attempt in attempts:
        with pytest.raises(EmailNotVerified) as refused:
            await attempt
        assert refused.value.code == "email-not-verified"
    with pytest.raises(EmailNotVerified):
        await found(w, "ugo")
    assert w.state() == before  # nothing written, the invitation still usable
    assert w.emitted() == []

    w.store.unverified.discard("ugo")  # the link in the email was followed
    joined = await use.join(open_door.id, user_id="ugo", code_version=1, ports=w.ports)
    assert joined.membership.state == "member"
    accepted, _ = await inviting.accept_invitation(
        hash_token(token), user_id="ugo", code_version=1, ports=w.ports
    )
    assert accepted.id == invited.id
    assert invitation.id in {i.id for i in w.store.invitations.values()}


async def test_an_invitation_is_for_the_invited_address_only_and_stays_usable_by_its_owner(
    w: World,
) -> None:
    community = await found(w, "ada", visibility="private", join_policy="invite_only")
    await inviting.invite(
        community.id, email="grace@example.org", ttl=None, actor_id="ada", ports=w.ports
    )
    token = secret(w.last(ev.InvitationSentV2))
    w.store.emails["mallory"] = "mallory@example.org"  # holds the link, not the mailbox
    w.emitted()
    before = w.state()
    with pytest.raises(InvitationForSomeoneElse) as refused:
        await inviting.accept_invitation(
            hash_token(token), user_id="mallory", code_version=1, ports=w.ports
        )
    assert refused.value.code == "invitation-for-another-address"
    assert "grace" not in refused.value.detail  # the address is not revealed
    assert w.state() == before
    assert w.emitted() == []

    w.store.emails["grace"] = "Grace@example.org"
    _, admission = await inviting.accept_invitation(
        hash_token(token), user_id="grace", code_version=1, ports=w.ports
    )
    assert admission.membership.state == "member"


async def test_owners_and_moderators_make_links_whose_uses_are_counted(w: World) -> None:
    community = await found(w, "ada", visibility="private", join_policy="invite_only")
    await seat(w, community, "plain")
    with pytest.raises(Forbidden):
        await inviting.create_link(
            community.id, max_uses=2, ttl=None, actor_id="plain", ports=w.ports
        )
    link, token = await inviting.create_link(
        community.id, max_uses=2, ttl=timedelta(hours=2), actor_id="ada", ports=w.ports
    )
    assert w.emitted() == []  # nothing is emailed: its maker shares it
    assert (link.kind, link.max_uses, link.uses) == ("link", 2, 0)
    assert w.store.audit[-1].action == "invitation_link_created"

    for user in ("bo", "cy"):
        await inviting.accept_invitation(
            hash_token(token), user_id=user, code_version=1, ports=w.ports
        )
    stored = w.store.invitations[link.id]
    assert (stored.uses, stored.status, stored.used_by) == (2, "accepted", "cy")
    assert w.emitted() == [ev.InvitationAcceptedV1, ev.MemberJoinedV1] * 2
    with pytest.raises(NotFound):
        await inviting.accept_invitation(
            hash_token(token), user_id="di", code_version=1, ports=w.ports
        )

    other, other_token = await inviting.create_link(
        community.id, max_uses=5, ttl=None, actor_id="ada", ports=w.ports
    )
    await inviting.revoke_invitation(community.id, other.id, actor_id="ada", ports=w.ports)
    with pytest.raises(NotFound):
        await inviting.accept_invitation(
            hash_token(other_token), user_id="di", code_version=1, ports=w.ports
        )
