"""Communities over HTTP on the real membership process: admission, roles, bans, audit, events."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from cerchia_contracts.catalog import MEMBERSHIP_COMMUNITIES, MEMBERSHIP_TOKENS, AnyEvent, Topic
from cerchia_contracts.events import membership as ev
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory

pytestmark = pytest.mark.integration

CODE = "Be kind, be constructive, no recruiting spam."


def new_user() -> str:
    return str(uuid.uuid4())


def community_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Python a Bologna",
        "slug": f"py-{uuid.uuid4().hex[:10]}",
        "purpose": "Grow as Python developers by reviewing each other's code.",
        "audience": "Developers around Bologna.",
        "tags": ["Python", "code review", "python"],
        "language": "it",
        "code_of_conduct": CODE,
    }
    body.update(overrides)
    return body


class Api:
    """One HTTP client per user, all against the same membership process."""

    def __init__(self, client: httpx.AsyncClient, keys: AuthKeys) -> None:
        self.client = client
        self.keys = keys

    async def call(self, method: str, path: str, user: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, headers=self.keys.headers(user), **kwargs)

    async def create(self, owner: str, **overrides: Any) -> dict[str, Any]:
        response = await self.call(
            "POST", "/api/v1/communities", owner, json=community_body(**overrides)
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


@pytest.fixture
async def membership_url(service_process: ServiceFactory) -> str:
    process = await service_process("membership", database=f"membership_{uuid.uuid4().hex[:8]}")
    return process.url


@pytest.fixture
async def api(membership_url: str, auth_keys: AuthKeys) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=membership_url, timeout=30) as client:
        yield Api(client, auth_keys)


async def read_topic(
    bootstrap: str,
    topic: Topic,
    subject: str,
    done: Callable[[list[AnyEvent]], bool],
    timeout: float = 30.0,
) -> list[AnyEvent]:
    consumer = AIOKafkaConsumer(
        topic.name,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    events: list[AnyEvent] = []
    try:
        async with asyncio.timeout(timeout):
            while not done(events):
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        event = topic.decode(record.value)
                        if event.subject == subject:
                            events.append(event)
    finally:
        await consumer.stop()
    return events


def problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/" + code), response.text


async def test_founding_reading_and_private_visibility(api: Api) -> None:
    owner, outsider = new_user(), new_user()
    created = await api.create(owner, visibility="private", join_policy="invite_only", capacity=5)
    assert created["owner_id"] == owner
    assert created["tags"] == ["python", "code review"]
    assert created["member_count"] == 1
    assert created["seats_available"] == 4
    assert created["my_standing"]["role"] == "owner"
    cid = created["id"]

    by_slug = await api.call("GET", f"/api/v1/communities/{created['slug']}", owner)
    assert by_slug.json()["id"] == cid
    for path in ("", "/directory", "/code-of-conduct", "/audit", "/waitlist", "/applications"):
        problem(
            await api.call("GET", f"/api/v1/communities/{cid}{path}", outsider),
            404,
            "community-not-found",
        )
    problem(
        await api.call(
            "POST", f"/api/v1/communities/{cid}/join", outsider, json={"code_of_conduct_version": 1}
        ),
        404,
        "community-not-found",
    )
    listed = await api.call("GET", "/api/v1/communities", outsider, params={"limit": 100})
    assert cid not in {c["id"] for c in listed.json()["items"]}
    problem(
        await api.call("GET", "/api/v1/communities", outsider, params={"cursor": "%%"}),
        400,
        "invalid-cursor",
    )
    unauthenticated = await api.client.get(f"/api/v1/communities/{cid}")
    assert unauthenticated.status_code == 401

    mine = await api.call("GET", "/api/v1/me/communities", owner)
    assert [(m["community"]["id"], m["standing"]["role"]) for m in mine.json()["items"]] == [
        (cid, "owner")
    ]


async def test_bad_input_is_refused_and_nothing_is_half_written(api: Api) -> None:
    owner = new_user()
    taken = await api.create(owner)
    problem(
        await api.call(
            "POST", "/api/v1/communities", owner, json=community_body(slug=taken["slug"])
        ),
        409,
        "slug-taken",
    )
    for bad in (
        {"capacity": 501},
        {"capacity": 0},
        {"slug": "Not A Slug"},
        {"unknown": "field"},
        {"screening_questions": [{"id": f"q{i}", "prompt": "?"} for i in range(6)]},
    ):
        response = await api.call("POST", "/api/v1/communities", owner, json=community_body(**bad))
        assert response.status_code == 422, (bad, response.text)
    response = await api.call(
        "POST",
        "/api/v1/communities",
        owner,
        json=community_body(screening_questions=[{"id": "a", "prompt": "?"}] * 2),
    )
    problem(response, 422, "duplicate-question")
    mine = await api.call("GET", "/api/v1/me/communities", owner)
    assert len(mine.json()["items"]) == 1  # only the first, valid community exists

    cid = taken["id"]
    joiner = new_user()
    stale = await api.call(
        "POST", f"/api/v1/communities/{cid}/join", joiner, json={"code_of_conduct_version": 7}
    )
    problem(stale, 409, "code-of-conduct-outdated")
    assert (await api.call("GET", "/api/v1/me/communities", joiner)).json()["items"] == []
    problem(
        await api.call("PATCH", f"/api/v1/communities/{cid}", owner, json={"capacity": 0}),
        422,
        "validation-error",
    )
    problem(await api.call("GET", "/api/v1/communities/nope", owner), 404, "community-not-found")


async def test_roles_moderation_ban_and_audit(api: Api, kafka_bootstrap: str) -> None:
    owner, mod, alice, bob, carol = (new_user() for _ in range(5))
    cid = (await api.create(owner, capacity=10))["id"]
    base = f"/api/v1/communities/{cid}"
    for user in (mod, alice, bob):
        joined = await api.call("POST", f"{base}/join", user, json={"code_of_conduct_version": 1})
        assert joined.json() == {
            "community_id": cid,
            "state": "member",
            "role": "member",
            "waitlist_position": None,
        }
    problem(
        await api.call("POST", f"{base}/join", alice, json={"code_of_conduct_version": 1}),
        409,
        "already-member",
    )

    # A plain member cannot do a moderator's or the owner's job.
    problem(
        await api.call("PUT", f"{base}/members/{bob}/role", alice, json={"role": "moderator"}),
        403,
        "moderator-required",
    )
    problem(
        await api.call("POST", f"{base}/members/{bob}/removal", alice, json={"reason": "x"}),
        403,
        "moderator-required",
    )
    problem(
        await api.call("POST", f"{base}/bans", carol, json={"user_id": bob, "reason": "x"}),
        403,
        "moderator-required",
    )
    problem(await api.call("GET", f"{base}/audit", alice), 403, "moderator-required")
    problem(await api.call("PATCH", base, alice, json={"capacity": 20}), 403, "owner-required")

    promoted = await api.call(
        "PUT", f"{base}/members/{mod}/role", owner, json={"role": "moderator"}
    )
    assert promoted.json()["items"] == [{"user_id": mod, "role": "moderator"}]
    problem(
        await api.call("PUT", f"{base}/members/{alice}/role", mod, json={"role": "moderator"}),
        403,
        "owner-required",
    )
    problem(
        await api.call("POST", f"{base}/members/{owner}/removal", mod, json={"reason": "x"}),
        403,
        "owner-protected",
    )
    problem(
        await api.call("POST", f"{base}/members/{bob}/removal", mod, json={"reason": " "}),
        422,
        "validation-error",
    )

    removed = await api.call(
        "POST", f"{base}/members/{bob}/removal", mod, json={"reason": "Self-promotion"}
    )
    assert removed.json()["state"] == "former"
    rejoined = await api.call("POST", f"{base}/join", bob, json={"code_of_conduct_version": 1})
    assert rejoined.json()["state"] == "member"  # removal is not a ban
    banned = await api.call("POST", f"{base}/bans", mod, json={"user_id": bob, "reason": "Spam"})
    assert banned.status_code == 201, banned.text
    problem(
        await api.call("POST", f"{base}/join", bob, json={"code_of_conduct_version": 1}),
        403,
        "banned",
    )
    # Banning someone who never joined works too.
    assert (
        await api.call(
            "POST", f"{base}/bans", mod, json={"user_id": carol, "reason": "Known troll"}
        )
    ).status_code == 201

    problem(await api.call("POST", f"{base}/leave", owner), 409, "owner-cannot-leave")
    transfer = await api.call("PUT", f"{base}/members/{mod}/role", owner, json={"role": "owner"})
    assert sorted((r["user_id"], r["role"]) for r in transfer.json()["items"]) == sorted(
        [(mod, "owner"), (owner, "moderator")]
    )
    community = (await api.call("GET", base, alice)).json()
    assert community["owner_id"] == mod
    assert community["member_count"] == 3  # owner, mod, alice: bob is banned

    audit = (await api.call("GET", f"{base}/audit", owner, params={"limit": 3})).json()
    assert [e["action"] for e in audit["items"]] == [
        "role_changed",
        "role_changed",
        "member_banned",
    ]
    rest = (
        await api.call("GET", f"{base}/audit", owner, params={"cursor": audit["next_cursor"]})
    ).json()
    actions = [e["action"] for e in rest["items"]]
    assert actions == ["member_banned", "member_removed", "role_changed"]
    assert rest["items"][1]["reason"] == "Self-promotion"
    assert rest["next_cursor"] is None

    events = await read_topic(
        kafka_bootstrap,
        MEMBERSHIP_COMMUNITIES,
        cid,
        lambda es: (
            sum(isinstance(e, ev.MemberRoleChangedV1) for e in es) == 3
            and any(isinstance(e, ev.CommunityUpdatedV1) for e in es)
        ),
    )
    kinds = [type(e).__name__ for e in events]
    assert kinds[:2] == ["CommunityCreatedV1", "MemberJoinedV1"]
    assert events[1].data.role == "owner"
    assert events[1].data.via == "founder"
    bans = [e for e in events if isinstance(e, ev.MemberBannedV1)]
    assert [(b.data.user_id, b.data.reason) for b in bans] == [
        (bob, "Spam"),
        (carol, "Known troll"),
    ]
    updated = next(e for e in events if isinstance(e, ev.CommunityUpdatedV1))
    assert updated.data.owner_id == mod


async def test_applications_invitations_and_code_of_conduct(api: Api, kafka_bootstrap: str) -> None:
    owner, applicant, other, invitee, banned = (new_user() for _ in range(5))
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
    assert (me["state"], me["role"]) == ("member", "member")

    # Invitations: single use, revocable, and never for a banned person.
    invited = await api.call(
        "POST",
        f"{base}/invitations",
        owner,
        json={"email": "Grace@Example.org", "expires_in_hours": 2},
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
    for_banned = (
        await api.call("POST", f"{base}/invitations", owner, json={"email": "ban@example.org"})
    ).json()
    revoked = await api.call("DELETE", f"{base}/invitations/{revocable['id']}", owner)
    assert revoked.json()["status"] == "revoked"
    assert (
        await api.call(
            "POST", f"{base}/bans", owner, json={"user_id": banned, "reason": "Harassment"}
        )
    ).status_code == 201
    tokens = await read_topic(
        kafka_bootstrap,
        MEMBERSHIP_TOKENS,
        cid,
        lambda es: len([e for e in es if isinstance(e, ev.InvitationSentV1)]) >= 3,
    )
    token_of = {e.data.invitation_id: e.data.token for e in tokens}
    assert tokens[0].data.email == "grace@example.org"
    assert tokens[0].data.community_name == "Python a Bologna"

    accept = f"/api/v1/invitations/{token_of[invited.json()['id']]}/accept"
    used = await api.call("POST", accept, invitee, json={"code_of_conduct_version": 1})
    assert used.json()["state"] == "member", used.text
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
        kafka_bootstrap,
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


async def test_archived_community_admits_nobody(api: Api) -> None:
    owner, joiner = new_user(), new_user()
    cid = (await api.create(owner))["id"]
    base = f"/api/v1/communities/{cid}"
    problem(await api.call("POST", f"{base}/archive", joiner), 403, "owner-required")
    archived = await api.call("POST", f"{base}/archive", owner)
    assert archived.json()["archived_at"] is not None
    problem(
        await api.call("POST", f"{base}/join", joiner, json={"code_of_conduct_version": 1}),
        409,
        "community-archived",
    )
    problem(
        await api.call("PATCH", base, owner, json={"name": "Renamed"}), 409, "community-archived"
    )
