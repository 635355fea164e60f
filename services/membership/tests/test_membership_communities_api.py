"""Communities over HTTP on the real membership process: founding, visibility, bad input."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from cerchia_chassis.domain.text_search import terms
from cerchia_contracts.catalog import MEMBERSHIP_COMMUNITIES
from cerchia_contracts.events import membership as ev
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory
from services.membership.tests.community_http import (
    JOIN,
    Api,
    community_body,
    problem,
    read_topic,
)
from services.membership.tests.verified_people import register, verification_tokens, verify

pytestmark = pytest.mark.integration


@pytest.fixture
async def membership_url(service_process: ServiceFactory) -> str:
    process = await service_process("membership", database=f"membership_{uuid.uuid4().hex[:8]}")
    return process.url


@pytest.fixture
async def api(membership_url: str, auth_keys: AuthKeys, kafka: KafkaCluster) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=membership_url, timeout=30) as client:
        yield Api(client, auth_keys, kafka.admin)


async def test_founding_reading_and_private_visibility(api: Api) -> None:
    owner, outsider = await api.people(2)
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
    # Anonymous callers read public communities only: a private one is as unknown as to an
    # outsider.
    problem(await api.client.get(f"/api/v1/communities/{cid}"), 404, "community-not-found")

    mine = await api.call("GET", "/api/v1/me/communities", owner)
    assert [(m["community"]["id"], m["standing"]["role"]) for m in mine.json()["items"]] == [
        (cid, "owner")
    ]


async def test_bad_input_is_refused_and_nothing_is_half_written(api: Api) -> None:
    owner = (await api.people(1))[0]
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
    joiner = (await api.people(1))[0]
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


async def test_archived_community_admits_nobody(api: Api) -> None:
    owner, joiner = await api.people(2)
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


async def test_archiving_closes_pending_applications(api: Api, kafka: KafkaCluster) -> None:
    owner, applicant = await api.people(2)
    cid = (await api.create(owner, join_policy="application"))["id"]
    base = f"/api/v1/communities/{cid}"
    submitted = await api.call(
        "POST", f"{base}/applications", applicant, json={"code_of_conduct_version": 1}
    )
    application = submitted.json()["id"]
    assert (await api.call("POST", f"{base}/archive", owner)).status_code == 200
    mine = await api.call("GET", f"{base}/applications/{application}", applicant)
    assert mine.json()["status"] == "closed"
    assert mine.json()["reason"] == "The community was archived."
    events = await read_topic(
        kafka.admin,
        MEMBERSHIP_COMMUNITIES,
        cid,
        lambda es: any(isinstance(e, ev.ApplicationClosedV1) for e in es),
    )
    closed = next(e for e in events if isinstance(e, ev.ApplicationClosedV1))
    assert (closed.data.applicant_id, closed.data.cause) == (applicant, "community_archived")


async def test_an_unverified_person_reads_and_completes_a_profile_but_neither_founds_nor_joins(
    api: Api,
) -> None:
    (owner,) = await api.people(1)
    community = await api.create(owner)
    newcomer, _ = await register(api.client)

    refused = [
        await api.call("POST", "/api/v1/communities", newcomer, json=community_body()),
        await api.call("POST", f"/api/v1/communities/{community['id']}/join", newcomer, json=JOIN),
    ]
    for answer in refused:
        problem(answer, 403, "email-not-verified")
    assert (await api.call("GET", "/api/v1/users/me", newcomer)).status_code == 200
    profile = await api.call("PATCH", "/api/v1/profiles/me", newcomer, json={"city": "Bologna"})
    assert profile.status_code == 200, profile.text
    assert (await api.call("GET", f"/api/v1/communities/{community['id']}", newcomer)).is_success

    # The link in the email: its answer carries the token that makes the next request wait
    # for what it wrote (read-your-writes, as for any write).
    tokens = await verification_tokens(api.access, api.keys, {newcomer})
    verified = await verify(api.client, tokens[newcomer])
    assert verified.status_code == 204
    assert verified.headers.get("Cerchia-Consistency")
    joined = await api.call(
        "POST", f"/api/v1/communities/{community['id']}/join", newcomer, json=JOIN
    )
    assert joined.json()["state"] == "member", joined.text


async def test_communities_stored_before_search_get_their_terms_in_the_background(
    service_process: ServiceFactory, auth_keys: AuthKeys, kafka: KafkaCluster, mongo_uri: str
) -> None:
    database = f"membership_{uuid.uuid4().hex[:8]}"
    process = await service_process(
        "membership", database=database, env={"MEMBERSHIP_SEARCH_INDEX_INTERVAL_S": "0.3"}
    )
    word = f"wombat{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=process.url, timeout=30) as client:
        api = Api(client, auth_keys, kafka.admin)
        (owner,) = await api.people(1)
        created = await api.create(owner, name=f"{word} keepers", visibility="public")
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
        try:
            # As stored before discovery searched words: no terms.
            await mongo[database]["communities"].update_one(
                {"_id": created["id"]}, {"$unset": {"search": ""}}
            )
            async with asyncio.timeout(20):
                while True:
                    found = await client.get("/api/v1/communities", params={"q": word})
                    if [c["id"] for c in found.json()["items"]] == [created["id"]]:
                        break
                    await asyncio.sleep(0.2)
            stored = await mongo[database]["communities"].find_one({"_id": created["id"]})
        finally:
            await mongo.close()
    assert stored is not None
    (stem,) = terms(word, "it")  # the community speaks Italian
    assert stored["search"]["counts"][stem] == 3  # a word of the name weighs most
