"""Directory, introductions and the GDPR hooks of communities, with real accounts and profiles."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_chassis.personal_data import Shredded
from cerchia_contracts.catalog import (
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_INTRODUCTIONS,
    AnyEvent,
    Topic,
)
from cerchia_contracts.events import membership as ev
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory
from services.membership.tests.verified_people import verification_tokens, verify

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
JOIN = {"code_of_conduct_version": 1}


async def read_topic(
    access: KafkaAccess,
    topic: Topic,
    keep: Callable[[AnyEvent], bool],
    done: Callable[[list[AnyEvent]], bool],
    timeout: float = 30,
) -> list[AnyEvent]:
    consumer = AIOKafkaConsumer(
        topic.name,
        **access.client_kwargs(),
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
                    events.extend(e for r in records if keep(e := topic.decode(r.value)))
    finally:
        await consumer.stop()
    return events


class People:
    """Registered accounts with profiles, acting through one membership process."""

    def __init__(self, client: httpx.AsyncClient, keys: AuthKeys, access: KafkaAccess) -> None:
        self.client = client
        self.keys = keys
        self.access = access
        self.ids: dict[str, str] = {}
        self.emails: dict[str, str] = {}

    async def register(self, name: str, **profile: Any) -> str:
        email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org"
        registered = await self.client.post(
            "/api/v1/users",
            json={"email": email, "password": PASSWORD, "display_name": name, "locale": "en"},
        )
        assert registered.status_code == 201, registered.text
        self.ids[name] = registered.json()["id"]
        self.emails[name] = email
        if profile:  # completing one's profile needs no verified address
            edited = await self.call("PATCH", "/api/v1/profiles/me", name, json=profile)
            assert edited.status_code == 200, edited.text
        user_id = self.ids[name]
        tokens = await verification_tokens(self.access, self.keys, {user_id})
        assert (await verify(self.client, tokens[user_id])).status_code == 204
        return user_id

    async def call(self, method: str, path: str, name: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(
            method, path, headers=self.keys.headers(self.ids[name]), **kwargs
        )


async def test_directory_introductions_and_erasure(
    service_process: ServiceFactory, auth_keys: AuthKeys, kafka: KafkaCluster
) -> None:
    membership = await service_process("membership", database=f"net_{uuid.uuid4().hex[:8]}")
    async with httpx.AsyncClient(base_url=membership.url, timeout=30) as client:
        people = People(client, auth_keys, kafka.admin)
        await people.register(
            "Ada",
            handle=f"ada{uuid.uuid4().hex[:6]}",
            skills=["Python"],
            interests=["Jazz"],
            asks=["a mentor for Django"],
            offers=["help with SQL tuning"],
        )
        await people.register(
            "Bruno",
            handle=f"bruno{uuid.uuid4().hex[:6]}",
            skills=["Django", "Python"],
            offers=["Django code reviews"],
            visibility="communities",
        )
        await people.register("Carla", interests=["jazz"], skills=["Go"])
        await people.register("Dino", offers=["Django code reviews"])

        created = await people.call(
            "POST",
            "/api/v1/communities",
            "Ada",
            json={
                "name": "Web Bologna",
                "slug": f"web-{uuid.uuid4().hex[:8]}",
                "purpose": "Build better web apps together.",
                "audience": "Web developers.",
                "code_of_conduct": "Be kind and helpful.",
            },
        )
        cid = created.json()["id"]
        solo = await people.call(
            "POST",
            "/api/v1/communities",
            "Ada",
            json={
                "name": "Ada's notes",
                "slug": f"notes-{uuid.uuid4().hex[:8]}",
                "purpose": "A reading circle on engines.",
                "audience": "Readers.",
                "code_of_conduct": "Read before you speak.",
            },
        )
        solo_id = solo.json()["id"]
        for name in ("Bruno", "Carla"):
            joined = await people.call("POST", f"/api/v1/communities/{cid}/join", name, json=JOIN)
            assert joined.json()["state"] == "member"

        # Directory: by name, searchable, filterable, paginated.
        directory = f"/api/v1/communities/{cid}/directory"
        first = (await people.call("GET", directory, "Carla", params={"limit": 2})).json()
        assert [m["display_name"] for m in first["items"]] == ["Ada", "Bruno"]
        rest = await people.call("GET", directory, "Carla", params={"cursor": first["next_cursor"]})
        assert [m["display_name"] for m in rest.json()["items"]] == ["Carla"]
        by_skill = await people.call("GET", directory, "Carla", params={"skill": "python"})
        assert [m["display_name"] for m in by_skill.json()["items"]] == ["Ada", "Bruno"]
        by_handle = await people.call("GET", directory, "Ada", params={"q": "@bruno"})
        assert [(m["display_name"], m["role"]) for m in by_handle.json()["items"]] == [
            ("Bruno", "member")
        ]
        by_interest = await people.call("GET", directory, "Ada", params={"interest": "JAZZ"})
        assert [m["display_name"] for m in by_interest.json()["items"]] == ["Ada", "Carla"]
        bad = await people.call("GET", directory, "Ada", params={"cursor": "bm90IGEgY3Vyc29y"})
        assert bad.status_code == 400

        # Profile visibility "members of my communities" uses shares_community.
        bruno_profile = f"/api/v1/profiles/{people.ids['Bruno']}"
        assert (await people.call("GET", bruno_profile, "Ada")).status_code == 200
        assert (await people.call("GET", bruno_profile, "Dino")).status_code in (403, 404)

        # Suggestions: offers that meet my asks first, then shared interests; members only.
        suggestions = (await people.call("GET", "/api/v1/introductions/suggestions", "Ada")).json()
        ranked = [(s["person"]["display_name"], s["reasons"]) for s in suggestions["items"]]
        assert ranked == [
            (
                "Bruno",
                ['Offers "Django code reviews", which matches your ask "a mentor for Django".'],
            ),
            ("Carla", ['Shares your interest in "Jazz".']),
        ]

        # Double opt-in: contacts only after the recipient accepts.
        asked = await people.call(
            "POST",
            "/api/v1/introductions",
            "Ada",
            json={
                "recipient_id": people.ids["Bruno"],
                "community_id": cid,
                "note": "Could you look at my Django project?",
            },
        )
        assert asked.status_code == 201, asked.text
        intro = asked.json()
        assert (intro["status"], intro["contact"]) == ("pending", None)
        again = await people.call(
            "POST",
            "/api/v1/introductions",
            "Bruno",
            json={"recipient_id": people.ids["Ada"], "community_id": cid, "note": "Hi!"},
        )
        assert again.status_code == 409
        outsider = await people.call(
            "POST",
            "/api/v1/introductions",
            "Dino",
            json={"recipient_id": people.ids["Bruno"], "community_id": cid, "note": "Hi!"},
        )
        assert outsider.status_code == 404
        path = f"/api/v1/introductions/{intro['id']}"
        assert (await people.call("GET", path, "Carla")).status_code == 404
        assert (await people.call("POST", f"{path}/accept", "Ada")).status_code == 409
        incoming = (await people.call("GET", "/api/v1/introductions", "Bruno")).json()["items"]
        assert [(i["id"], i["note"], i["contact"]) for i in incoming] == [
            (intro["id"], "Could you look at my Django project?", None)
        ]
        accepted = await people.call("POST", f"{path}/accept", "Bruno")
        assert accepted.json()["contact"]["email"] == people.emails["Ada"]
        seen_by_ada = (await people.call("GET", path, "Ada")).json()
        assert seen_by_ada["contact"]["email"] == people.emails["Bruno"]
        later = (await people.call("GET", "/api/v1/introductions/suggestions", "Ada")).json()
        assert [s["person"]["display_name"] for s in later["items"]] == ["Carla"]

        # GDPR: the export has a communities section; erasure hands Ada's community over.
        promoted = await people.call(
            "PUT",
            f"/api/v1/communities/{cid}/members/{people.ids['Bruno']}/role",
            "Ada",
            json={"role": "moderator"},
        )
        assert promoted.status_code == 200
        export = (await people.call("GET", "/api/v1/me/export", "Ada")).json()
        section = export["sections"]["communities"]
        assert {m["community_id"]: m["role"] for m in section["memberships"]} == {
            cid: "owner",
            solo_id: "owner",
        }
        assert section["introductions"][0]["note"] == "Could you look at my Django project?"
        # Before confirming, Ada reads what the erasure does to the communities she owns.
        preview = await people.call("GET", "/api/v1/users/me/erasure", "Ada")
        assert preview.status_code == 200, preview.text
        assert sorted(
            (c["community_id"], c["outcome"], c["new_owner_id"])
            for c in preview.json()["communities"]
        ) == sorted([(cid, "handed_over", people.ids["Bruno"]), (solo_id, "archived", None)])
        erased = await people.call("DELETE", "/api/v1/users/me", "Ada", json={"password": PASSWORD})
        assert erased.status_code == 204, erased.text
        community = (await people.call("GET", f"/api/v1/communities/{cid}", "Carla")).json()
        assert (community["owner_id"], community["member_count"]) == (people.ids["Bruno"], 2)
        archived = (await people.call("GET", f"/api/v1/communities/{solo_id}", "Carla")).json()
        assert archived["archived_at"] is not None
        assert archived["owner_id"] is None
        assert (await people.call("GET", "/api/v1/introductions", "Bruno")).json()["items"] == []

    ada = people.ids["Ada"]
    introductions = await read_topic(
        kafka.admin,
        MEMBERSHIP_INTRODUCTIONS,
        lambda e: e.subject == intro["id"],
        lambda es: len(es) >= 2,
    )
    assert [type(e) for e in introductions] == [
        ev.IntroductionRequestedV1,
        ev.IntroductionAcceptedV1,
    ]
    # The note travelled sealed with Ada's key, which her erasure destroyed: it no longer opens.
    assert introductions[0].data.note.startswith("pd1:membership:")
    assert "Django" not in introductions[0].data.note
    with pytest.raises(Shredded):
        await people.keys.opened(kafka.admin, introductions[0])
    handover = await read_topic(
        kafka.admin,
        MEMBERSHIP_COMMUNITIES,
        lambda e: e.subject in (cid, solo_id),
        lambda es: sum(isinstance(e, ev.CommunityHandedOverV1) for e in es) >= 2,
    )
    left = [e.data.community_id for e in handover if isinstance(e, ev.MemberLeftV1)]
    assert sorted(left) == sorted([cid, solo_id])
    assert all(e.data.user_id == ada for e in handover if isinstance(e, ev.MemberLeftV1))
    assert [
        (e.data.user_id, e.data.previous_role, e.data.role)
        for e in handover
        if isinstance(e, ev.MemberRoleChangedV1) and e.data.actor_id is None
    ] == [(people.ids["Bruno"], "moderator", "owner")]
    assert [e.subject for e in handover if isinstance(e, ev.CommunityArchivedV1)] == [solo_id]
    # Every remaining member is told, after Ada's departure (so not Ada herself).
    told = {
        e.subject: (e.data.new_owner_id, e.data.archived)
        for e in handover
        if isinstance(e, ev.CommunityHandedOverV1)
    }
    assert told == {cid: (people.ids["Bruno"], False), solo_id: (None, True)}
    for community_id in (cid, solo_id):
        kinds = [type(e) for e in handover if e.subject == community_id]
        assert kinds.index(ev.MemberLeftV1) < kinds.index(ev.CommunityHandedOverV1)
