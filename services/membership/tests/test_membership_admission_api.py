"""Admission over HTTP on the real membership process: applications, invitations, code."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from cerchia_contracts.catalog import MEMBERSHIP_COMMUNITIES, MEMBERSHIP_TOKENS
from cerchia_contracts.events import membership as ev
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory
from services.membership.tests.community_http import (
    JOIN,
    Api,
    problem,
    read_topic,
)
from services.membership.tests.verified_people import address

pytestmark = pytest.mark.integration


@pytest.fixture
async def membership_url(service_process: ServiceFactory) -> str:
    process = await service_process("membership", database=f"membership_{uuid.uuid4().hex[:8]}")
    return process.url


@pytest.fixture
async def api(membership_url: str, auth_keys: AuthKeys, kafka: KafkaCluster) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=membership_url, timeout=30) as client:
        yield Api(client, auth_keys, kafka.admin)


async def test_applications_invitations_and_code_of_conduct(
    api: Api, kafka: KafkaCluster, auth_keys: AuthKeys
) -> None:
    grace, eve = address("grace"), address("ban")
    invitee, banned, owner, applicant, other = await api.people(5, emails=[grace, eve])
    questions = [
        {"id": "why", "prompt": "Why join?", "required": True},
        {"id": "site", "prompt": "Your site?", "required": False},
    ]
    cid = (await api.create(owner, join_policy="application", screening_questions=questions))["id"]
    base = f"/api/v1/communities/{cid}"
    problem(
        await api.call("POST", f"{base}/join", applicant, json={"code_of_conduct_version": 1}),
        409,
        "application-required",
    )
    for answers, code in (
        ({"site": "x"}, "answer-required"),
        ({"why": "a", "zz": "b"}, "unknown-question"),
    ):
        problem(
            await api.call(
                "POST",
                f"{base}/applications",
                applicant,
                json={"answers": answers, "code_of_conduct_version": 1},
            ),
            422,
            code,
        )
    submitted = await api.call(
        "POST",
        f"{base}/applications",
        applicant,
        json={"answers": {"why": "Reviews"}, "code_of_conduct_version": 1},
    )
    assert submitted.status_code == 201, submitted.text
    application = submitted.json()
    again = await api.call(
        "POST",
        f"{base}/applications",
        applicant,
        json={"answers": {"why": "Again"}, "code_of_conduct_version": 1},
    )
    problem(again, 409, "application-pending")
    second = await api.call(
        "POST",
        f"{base}/applications",
        other,
        json={"answers": {"why": "Curious"}, "code_of_conduct_version": 1},
    )

    problem(await api.call("GET", f"{base}/applications", applicant), 403, "moderator-required")
    # While applying, the applicant's standing names their application (to withdraw it).
    standing = (await api.call("GET", base, applicant)).json()["my_standing"]
    assert (standing["state"], standing["application_id"]) == ("applicant", application["id"])
    own = await api.call("GET", f"{base}/applications/{application['id']}", applicant)
    assert own.json()["answers"] == [
        {"question_id": "why", "prompt": "Why join?", "answer": "Reviews"}
    ]
    problem(
        await api.call("GET", f"{base}/applications/{application['id']}", other),
        403,
        "moderator-required",
    )
    queue = (await api.call("GET", f"{base}/applications", owner, params={"limit": 1})).json()
    assert [a["id"] for a in queue["items"]] == [application["id"]]
    page2 = await api.call(
        "GET", f"{base}/applications", owner, params={"limit": 1, "cursor": queue["next_cursor"]}
    )
    assert [a["id"] for a in page2.json()["items"]] == [second.json()["id"]]

    approved = await api.call(
        "POST",
        f"{base}/applications/{application['id']}/approve",
        owner,
        json={"reason": "Good fit"},
    )
    assert approved.json()["status"] == "approved"
    problem(
        await api.call(
            "POST",
            f"{base}/applications/{application['id']}/reject",
            owner,
            json={"reason": "Changed my mind"},
        ),
        409,
        "application-decided",
    )
    rejected = await api.call(
        "POST",
        f"{base}/applications/{second.json()['id']}/reject",
        owner,
        json={"reason": "Not the audience"},
    )
    assert rejected.json()["reason"] == "Not the audience"
    me = (await api.call("GET", base, applicant)).json()["my_standing"]
    assert (me["state"], me["role"], me["application_id"]) == ("member", "member", None)

    # Invitations: single use, revocable, and never for a banned person.
    invited = await api.call(
        "POST",
        f"{base}/invitations",
        owner,
        json={"email": grace.capitalize(), "expires_in_hours": 2},
    )
    assert invited.status_code == 201, invited.text
    problem(
        await api.call("POST", f"{base}/invitations", applicant, json={"email": "a@b.org"}),
        403,
        "moderator-required",
    )
    revocable = (
        await api.call("POST", f"{base}/invitations", owner, json={"email": "rev@example.org"})
    ).json()
    for_banned = (await api.call("POST", f"{base}/invitations", owner, json={"email": eve})).json()
    revoked = await api.call("DELETE", f"{base}/invitations/{revocable['id']}", owner)
    assert revoked.json()["status"] == "revoked"
    assert (
        await api.call(
            "POST", f"{base}/bans", owner, json={"user_id": banned, "reason": "Harassment"}
        )
    ).status_code == 201
    tokens = await read_topic(
        kafka.admin,
        MEMBERSHIP_TOKENS,
        cid,
        lambda es: len([e for e in es if isinstance(e, ev.InvitationSentV2)]) >= 3,
    )
    token_of = {e.data.invitation_id: auth_keys.open_token(e) for e in tokens}
    assert tokens[0].data.email == grace
    assert tokens[0].data.community_name == "Python a Bologna"

    accept = f"/api/v1/invitations/{token_of[invited.json()['id']]}/accept"
    # Whoever holds the token may read what it opens, signed in or not, before accepting.
    preview = await api.client.get(f"/api/v1/invitations/{token_of[invited.json()['id']]}")
    assert preview.status_code == 200, preview.text
    assert preview.json()["community"]["id"] == cid
    assert preview.json()["community"]["code_of_conduct_version"] == 1
    assert preview.json()["kind"] == "email"
    problem(
        await api.call("GET", f"/api/v1/invitations/{token_of[revocable['id']]}", other),
        404,
        "invitation-invalid",
    )
    # Someone else holding Grace's link cannot use it, and it still works for her.
    problem(
        await api.call("POST", accept, other, json={"code_of_conduct_version": 1}),
        403,
        "invitation-for-another-address",
    )
    used = await api.call("POST", accept, invitee, json={"code_of_conduct_version": 1})
    assert used.json()["state"] == "member", used.text
    problem(await api.call("GET", accept.removesuffix("/accept"), other), 404, "invitation-invalid")
    problem(
        await api.call("POST", accept, other, json={"code_of_conduct_version": 1}),
        404,
        "invitation-invalid",
    )
    problem(
        await api.call(
            "POST",
            f"/api/v1/invitations/{token_of[revocable['id']]}/accept",
            other,
            json={"code_of_conduct_version": 1},
        ),
        404,
        "invitation-invalid",
    )
    ban_accept = f"/api/v1/invitations/{token_of[for_banned['id']]}/accept"
    problem(
        await api.call("POST", ban_accept, banned, json={"code_of_conduct_version": 1}),
        403,
        "banned",
    )
    problem(
        await api.call(
            "POST",
            f"{base}/applications",
            banned,
            json={"answers": {"why": "pls"}, "code_of_conduct_version": 1},
        ),
        403,
        "banned",
    )
    listed = (await api.call("GET", f"{base}/invitations", owner)).json()["items"]
    assert {i["id"]: i["status"] for i in listed}[for_banned["id"]] == "pending"  # not used up

    # A new code of conduct: every member must accept it again.
    published = await api.call(
        "POST", f"{base}/code-of-conduct", owner, json={"text": "Be kind. No ads, ever."}
    )
    assert published.json()["version"] == 2
    code = (await api.call("GET", f"{base}/code-of-conduct", invitee)).json()
    assert (code["version"], code["accepted_version"], code["must_accept"]) == (2, 1, True)
    problem(
        await api.call("POST", f"{base}/code-of-conduct/acceptance", invitee, json={"version": 1}),
        409,
        "code-of-conduct-outdated",
    )
    accepted = await api.call(
        "POST", f"{base}/code-of-conduct/acceptance", invitee, json={"version": 2}
    )
    assert accepted.json()["must_accept_code_of_conduct"] is False
    owner_code = (await api.call("GET", f"{base}/code-of-conduct", owner)).json()
    assert owner_code["must_accept"] is False  # publishing is the owner's acceptance

    events = await read_topic(
        kafka.admin,
        MEMBERSHIP_COMMUNITIES,
        cid,
        lambda es: any(
            isinstance(e, ev.CodeOfConductAcceptedV1) and e.data.user_id == invitee for e in es
        ),
    )
    kinds = [e.type.split(".")[2] for e in events]
    assert kinds.count("application_submitted") == 2
    assert kinds.index("application_approved") < kinds.index("member_joined", 2)
    assert "application_rejected" in kinds
    assert "invitation_revoked" in kinds
    assert [e.data.user_id for e in events if isinstance(e, ev.InvitationAcceptedV1)] == [invitee]
    published_event = next(e for e in events if isinstance(e, ev.CodeOfConductPublishedV1))
    assert published_event.data.version == 2
    actions = [e["action"] for e in (await api.call("GET", f"{base}/audit", owner)).json()["items"]]
    assert {
        "application_approved",
        "application_rejected",
        "invitation_sent",
        "invitation_revoked",
        "invitation_accepted",
        "member_banned",
        "code_of_conduct_published",
    } <= set(actions)


async def test_an_applicant_withdraws_and_may_apply_again(api: Api, kafka: KafkaCluster) -> None:
    owner, applicant, other = await api.people(3)
    cid = (await api.create(owner, join_policy="application"))["id"]
    base = f"/api/v1/communities/{cid}"
    body = {"answers": {}, "code_of_conduct_version": 1}
    first = (await api.call("POST", f"{base}/applications", applicant, json=body)).json()
    withdraw = f"{base}/applications/{first['id']}/withdraw"
    problem(await api.call("POST", withdraw, other), 404, "application-not-found")
    problem(await api.call("POST", withdraw, owner), 403, "applicant-required")

    withdrawn = await api.call("POST", withdraw, applicant)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    problem(await api.call("POST", withdraw, applicant), 409, "application-decided")
    assert (await api.call("GET", "/api/v1/me/communities", applicant)).json()["items"] == []
    queue = await api.call("GET", f"{base}/applications", owner, params={"status": "withdrawn"})
    assert [a["id"] for a in queue.json()["items"]] == [first["id"]]
    pending = await api.call("GET", f"{base}/applications", owner)
    assert pending.json()["items"] == []

    again = await api.call("POST", f"{base}/applications", applicant, json=body)
    assert again.status_code == 201, again.text
    events = await read_topic(
        kafka.admin,
        MEMBERSHIP_COMMUNITIES,
        cid,
        lambda es: sum(isinstance(e, ev.ApplicationSubmittedV1) for e in es) == 2,
    )
    kinds = [type(e) for e in events][2:]  # after the founding
    assert kinds == [
        ev.ApplicationSubmittedV1,
        ev.ApplicationWithdrawnV1,
        ev.ApplicationSubmittedV1,
    ]
    assert events[3].data.applicant_id == applicant


async def test_a_link_admits_whoever_holds_it_as_many_times_as_it_says(api: Api) -> None:
    owner, first, second, third, plain = await api.people(5)
    cid = (await api.create(owner, visibility="private", join_policy="invite_only"))["id"]
    base = f"/api/v1/communities/{cid}"
    problem(
        await api.call("POST", f"{base}/invitation-links", first, json={"max_uses": 2}),
        404,  # a private community's outsiders do not learn it exists
        "community-not-found",
    )
    problem(
        await api.call("POST", f"{base}/invitation-links", owner, json={"max_uses": 0}),
        422,
        "validation-error",
    )
    made = await api.call(
        "POST", f"{base}/invitation-links", owner, json={"max_uses": 2, "expires_in_hours": 24}
    )
    assert made.status_code == 201, made.text
    link = made.json()
    assert (link["kind"], link["email"], link["max_uses"], link["uses"]) == ("link", None, 2, 0)

    accept = f"/api/v1/invitations/{link['token']}/accept"
    for person in (first, second):
        joined = await api.call("POST", accept, person, json=JOIN)
        assert joined.json()["state"] == "member", joined.text
    problem(await api.call("POST", accept, third, json=JOIN), 404, "invitation-invalid")
    listed = (await api.call("GET", f"{base}/invitations", owner)).json()["items"]
    assert [(i["kind"], i["uses"], i["status"]) for i in listed] == [("link", 2, "accepted")]
    assert "token" not in listed[0]  # shown once, to its maker

    problem(  # a plain member may not make links
        await api.call("POST", f"{base}/invitation-links", first, json={"max_uses": 3}),
        403,
        "moderator-required",
    )
    spare = (await api.call("POST", f"{base}/invitation-links", owner, json={"max_uses": 3})).json()
    assert (await api.call("DELETE", f"{base}/invitations/{spare['id']}", owner)).is_success
    problem(
        await api.call("POST", f"/api/v1/invitations/{spare['token']}/accept", plain, json=JOIN),
        404,
        "invitation-invalid",
    )
