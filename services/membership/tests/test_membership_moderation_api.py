"""Moderation over HTTP on the real membership process: roles, removals, bans, audit."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from cerchia_contracts.catalog import MEMBERSHIP_COMMUNITIES
from cerchia_contracts.events import membership as ev
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory
from services.membership.tests.community_http import (
    JOIN,
    Api,
    new_user,
    problem,
    read_topic,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def membership_url(service_process: ServiceFactory) -> str:
    process = await service_process("membership", database=f"membership_{uuid.uuid4().hex[:8]}")
    return process.url


@pytest.fixture
async def api(membership_url: str, auth_keys: AuthKeys, kafka: KafkaCluster) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=membership_url, timeout=30) as client:
        yield Api(client, auth_keys, kafka.admin)


async def test_roles_moderation_ban_and_audit(api: Api, kafka: KafkaCluster) -> None:
    owner, mod, alice, bob, carol = await api.people(5)
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
        kafka.admin,
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


async def test_lifting_a_ban_lets_the_person_back_through_admission(
    api: Api, kafka: KafkaCluster
) -> None:
    owner, mod, bob, member = await api.people(4)
    cid = (await api.create(owner))["id"]
    base = f"/api/v1/communities/{cid}"
    for user in (mod, member, bob):
        assert (await api.call("POST", f"{base}/join", user, json=JOIN)).status_code == 200
    await api.call("PUT", f"{base}/members/{mod}/role", owner, json={"role": "moderator"})
    banned = await api.call("POST", f"{base}/bans", mod, json={"user_id": bob, "reason": "Spam"})
    assert banned.status_code == 201, banned.text

    lift = f"{base}/bans/{bob}/lift"
    reason = {"reason": "Apologised; a second chance."}
    problem(await api.call("POST", lift, member, json=reason), 403, "moderator-required")
    problem(await api.call("POST", lift, new_user(), json=reason), 403, "moderator-required")
    problem(await api.call("POST", lift, mod, json={"reason": " "}), 422, "validation-error")
    problem(
        await api.call("POST", f"{base}/bans/{member}/lift", mod, json=reason), 409, "not-banned"
    )
    problem(
        await api.call("POST", f"{base}/bans/{new_user()}/lift", mod, json=reason),
        404,
        "ban-not-found",
    )
    problem(await api.call("POST", f"{base}/join", bob, json=JOIN), 403, "banned")

    lifted = await api.call("POST", lift, mod, json=reason)
    assert lifted.status_code == 200, lifted.text
    body = lifted.json()
    assert (body["community_id"], body["user_id"], body["reason"]) == (
        cid,
        bob,
        "Apologised; a second chance.",
    )
    problem(await api.call("POST", lift, mod, json=reason), 409, "not-banned")
    back = await api.call("POST", f"{base}/join", bob, json=JOIN)
    assert back.json()["state"] == "member"  # through the door, like anyone else

    audit = (await api.call("GET", f"{base}/audit", owner)).json()["items"]
    assert (audit[0]["action"], audit[0]["actor_id"], audit[0]["subject_id"]) == (
        "ban_lifted",
        mod,
        bob,
    )
    events = await read_topic(
        kafka.admin,
        MEMBERSHIP_COMMUNITIES,
        cid,
        lambda es: sum(isinstance(e, ev.MemberJoinedV1) and e.data.user_id == bob for e in es) == 2,
    )
    about_bob = [type(e) for e in events if getattr(e.data, "user_id", None) == bob]
    assert about_bob == [
        ev.MemberJoinedV1,
        ev.MemberBannedV1,
        ev.MemberUnbannedV1,
        ev.MemberJoinedV1,
    ]
    unbanned = next(e for e in events if isinstance(e, ev.MemberUnbannedV1))
    assert (unbanned.data.actor_id, unbanned.data.reason) == (mod, "Apologised; a second chance.")
