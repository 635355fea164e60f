"""Profiles and GDPR (export, erasure) over HTTP, on the real membership process and stack."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from cerchia_contracts.catalog import MEMBERSHIP_USERS
from cerchia_contracts.events.membership import ProfileUpdatedV1, UserErasedV1
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory
from services.membership.tests.account_http import (
    PASSWORD,
    Api,
    bearer,
    email,
    events,
    has,
    problem,
    start_membership,
)
from services.membership.tests.verified_people import verification_tokens, verify

pytestmark = pytest.mark.integration


@pytest.fixture
def database() -> str:
    return f"membership_{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def api(service_process: ServiceFactory, database: str) -> AsyncIterator[Api]:
    membership = await start_membership(service_process, database)
    async with httpx.AsyncClient(base_url=membership.url, timeout=30) as client:
        yield Api(client)


@pytest.fixture
async def mongo(mongo_uri: str, database: str) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    yield client[database]
    await client.close()


async def test_profiles_with_unique_handles_and_visibility(
    api: Api, kafka: KafkaCluster, auth_keys: AuthKeys
) -> None:
    ada, bo, cy = email(), email(), email()
    ada_id = await api.register(ada, name="Ada")
    bo_id = await api.register(bo, name="Bo")
    await api.register(cy, name="Cy")
    http = api.http
    # Ada founds a community and Bo joins it: both verify their address first, as they must.
    links = await verification_tokens(kafka.admin, auth_keys, {ada_id, bo_id})
    for user in (ada_id, bo_id):
        verified = await verify(http, links[user])
        assert verified.status_code in (200, 204), verified.text
    as_ada = bearer((await api.tokens(ada))["access_token"])
    as_bo = bearer((await api.tokens(bo))["access_token"])
    as_cy = bearer((await api.tokens(cy))["access_token"])

    edit = {
        "handle": "@Ada_" + uuid.uuid4().hex[:6],
        "headline": "Analyst of engines",
        "skills": ["Python", "python", "Mathematics"],
        "asks": ["a mechanical engineer"],
        "offers": ["I can help with algorithms"],
        "links": [{"label": "Site", "url": "https://ada.example.org"}],
        "timezone": "Europe/London",
        "locale": "it",
    }
    response = await http.patch("/api/v1/profiles/me", json=edit, headers=as_ada)
    assert response.status_code == 200, response.text
    mine = response.json()
    handle = edit["handle"].lstrip("@").lower()  # type: ignore[union-attr]
    assert mine["handle"] == handle
    assert mine["skills"] == ["Python", "Mathematics"]
    assert mine["visibility"] == "communities"
    assert (await http.get("/api/v1/profiles/me", headers=as_ada)).json() == mine

    # Registration announced the profile as first given; the edit is announced after it, its
    # personal fields sealed with Ada's key (a reader opens them).
    sealed = await events(kafka.admin, MEMBERSHIP_USERS, ada_id, has(ProfileUpdatedV1))
    assert all(
        str(e.data.email).startswith("pd1:membership:")
        for e in sealed
        if isinstance(e, ProfileUpdatedV1)
    )
    found = await events(
        kafka.admin, MEMBERSHIP_USERS, ada_id, has(ProfileUpdatedV1, 2), keys=auth_keys
    )
    profiles = [e for e in found if isinstance(e, ProfileUpdatedV1)]
    first, updated = profiles[0], profiles[-1]
    assert first.data.handle is None
    assert updated.data.handle == handle
    assert updated.data.skills == ("Python", "Mathematics")
    assert updated.data.timezone == "Europe/London"
    assert updated.data.locale == "it"

    taken = await http.patch("/api/v1/profiles/me", json={"handle": handle.upper()}, headers=as_bo)
    problem(taken, 409, "handle-taken")
    invalid = await http.patch(
        "/api/v1/profiles/me", json={"timezone": "Mars/Olympus", "handle": "9x"}, headers=as_bo
    )
    locs = {tuple(e["loc"]) for e in problem(invalid, 422, "invalid-profile")["errors"]}
    assert locs == {("body", "timezone"), ("body", "handle")}
    for body in ({"display_name": None}, {"email": "x@example.org"}, {"links": [{"label": "x",
                 "url": "javascript:alert(1)"}]}):  # fmt: skip
        problem(await http.patch("/api/v1/profiles/me", json=body, headers=as_bo), 422,
                "validation-error")  # fmt: skip
    assert (await http.get("/api/v1/profiles/me", headers=as_bo)).json()["handle"] is None

    # Members of my communities: Bo shares one with Ada, Cy does not.
    problem(await http.get(f"/api/v1/profiles/{ada_id}", headers=as_cy), 403, "profile-restricted")
    community = await http.post(
        "/api/v1/communities",
        json={
            "name": "Engines of thought",
            "slug": "engines-" + uuid.uuid4().hex[:8],
            "purpose": "Study analytical engines together, one note a month.",
            "audience": "Curious minds",
            "join_policy": "open",
            "code_of_conduct": "Be kind and precise.",
        },
        headers=as_ada,
    )
    assert community.status_code == 201, community.text
    joined = await http.post(
        f"/api/v1/communities/{community.json()['id']}/join",
        json={"code_of_conduct_version": 1},
        headers=as_bo,
    )
    assert joined.status_code == 200, joined.text
    seen = await http.get(f"/api/v1/profiles/{ada_id}", headers=as_bo)
    assert seen.status_code == 200
    assert seen.json()["handle"] == handle
    assert "visibility" not in seen.json()
    assert "email" not in seen.json()
    public = {"visibility": "platform"}
    assert (await http.patch("/api/v1/profiles/me", json=public, headers=as_ada)).status_code == 200
    assert (await http.get(f"/api/v1/profiles/{ada_id}", headers=as_cy)).status_code == 200
    problem(await http.get(f"/api/v1/profiles/{uuid.uuid4()}", headers=as_cy), 404,
            "user-not-found")  # fmt: skip
    problem(await http.get(f"/api/v1/profiles/{ada_id}"), 401, "unauthenticated")


async def test_export_then_erase_everything(api: Api, kafka: KafkaCluster, mongo: Any) -> None:
    address = email()
    user_id = await api.register(address)
    http = api.http
    session = await api.tokens(address)
    headers = bearer(session["access_token"])
    handle = "erase_" + uuid.uuid4().hex[:6]
    await http.patch("/api/v1/profiles/me", json={"handle": handle}, headers=headers)

    export = await http.get("/api/v1/me/export", headers=headers)
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    document = export.json()
    assert document["user_id"] == user_id
    account = document["sections"]["account"]
    assert account["account"]["email"] == address
    assert account["profile"]["handle"] == handle
    assert len(account["sessions"]) == 1
    assert account["pending_links"][0]["purpose"] == "verify_email"
    assert "argon2" not in export.text.replace("argon2id hash only", "")
    problem(await http.get("/api/v1/me/export"), 401, "unauthenticated")

    erase = "/api/v1/users/me"
    wrong = await http.request("DELETE", erase, json={"password": "not mine"}, headers=headers)
    problem(wrong, 403, "wrong-password")
    problem(await http.request("DELETE", erase, headers=headers), 422, "validation-error")
    gone = await http.request("DELETE", erase, json={"password": PASSWORD}, headers=headers)
    assert gone.status_code == 204

    found = await events(kafka.admin, MEMBERSHIP_USERS, user_id, has(UserErasedV1))
    assert isinstance(found[-1], UserErasedV1)
    assert found[-1].data.user_id == user_id
    for collection, query in [
        ("users", {"_id": user_id}),
        ("handles", {"user_id": user_id}),
        ("refresh_sessions", {"user_id": user_id}),
        ("one_time_tokens", {"user_id": user_id}),
    ]:
        assert await mongo[collection].count_documents(query) == 0, collection
    # The erasure ended every session: the old token is refused before anything is looked up.
    problem(await http.get("/api/v1/users/me", headers=headers), 401, "token-revoked")
    problem(await http.get("/api/v1/me/export", headers=headers), 401, "token-revoked")
    problem(await api.refresh(session["refresh_token"]), 401, "invalid-refresh-token")
    problem(await api.login(address), 401, "invalid-credentials")
    # The handle is free again, and the address can register anew.
    await api.register(address)
