"""The API's refusals, in process with in-memory ports: each use case's domain error is answered
as problem+json by its kind (no route catches them), and a cursor this API did not issue is 400."""

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from cerchia_chassis.domain.community import CommunityState, Standing
from cerchia_chassis.domain.cursors import encode_cursor
from cerchia_chassis.problems import PROBLEM_BASE, PROBLEM_JSON
from cerchia_chassis.tokens import SigningKey
from notifications.app import create_app
from notifications.domain.categories import Category
from notifications.domain.deliveries import Channel, Delivery, DeliveryStatus, Failure
from notifications.domain.errors import InvalidWebhook
from notifications.domain.feed import FeedItem
from notifications.domain.webhooks import WEBHOOK_EVENT_TYPES, check_registration
from notifications.service.integrations import register_webhook
from notifications.settings import NotificationsSettings
from services.notifications.tests.memory import NOW, World

pytestmark = pytest.mark.unit

KEY = SigningKey.generate()
OPERATOR = "ops-1"


def headers(user_id: str) -> dict[str, str]:
    token = KEY.sign_access_token(user_id, issuer="cerchia-membership", audience="cerchia")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world() -> World:
    built = World()
    built.store.join("c", "olga", "owner")
    built.store.join("c", "marco", "moderator")
    return built


@pytest.fixture
async def api(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its container's ports in memory (no lifespan: nothing connects)."""
    settings = NotificationsSettings(auth_jwks=json.dumps(KEY.jwks()), log_json=False)
    app = create_app(settings)
    ports = world.api(operators=frozenset({OPERATOR}))
    app.state.container = SimpleNamespace(settings=settings, ports=ports)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as client:
        yield client


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"] == PROBLEM_BASE + code


def item(n: int, user: str) -> FeedItem:
    return FeedItem(
        id=f"{n:024x}",
        key=f"ev-{n}:{user}:in_app",
        user_id=user,
        event_id=f"ev-{n}",
        kind="thread_created",
        category=Category.DISCUSSIONS,
        title=f"Thread {n}",
        body="",
        link="/",
        community_id="c",
        actor_id=None,
        created_at=NOW,
    )


async def test_only_the_owner_manages_webhooks_and_others_see_none(
    api: httpx.AsyncClient, world: World
) -> None:
    body = {"community_id": "c", "url": "https://hooks.example/x", "event_types": []}
    refused(
        await api.post("/api/v1/webhooks", json=body, headers=headers("marco")), 403, "not-owner"
    )
    assert world.store.webhooks == {}
    refused(
        await api.get("/api/v1/webhooks?community_id=c", headers=headers("marco")), 403, "not-owner"
    )
    created = await api.post("/api/v1/webhooks", json=body, headers=headers("olga"))
    assert created.status_code == 201, created.text
    hook = created.json()["id"]
    for method, path in (
        ("delete", f"/api/v1/webhooks/{hook}"),
        ("post", f"/api/v1/webhooks/{hook}/rotate-secret"),
        ("post", f"/api/v1/webhooks/{hook}/enable"),
        ("get", f"/api/v1/webhooks/{hook}/deliveries"),
        ("delete", "/api/v1/webhooks/no-such-hook"),
    ):
        response = await api.request(method, path, headers=headers("marco"))
        refused(response, 404, "webhook-not-found")
    assert set(world.store.webhooks) == {hook}

    world.store.webhooks[hook] = replace(world.store.webhooks[hook], active=False)
    replay = await api.post(
        f"/api/v1/webhooks/{hook}/replay", json={"event_ids": ["e"]}, headers=headers("olga")
    )
    refused(replay, 409, "webhook-disabled")


async def test_a_webhook_s_owner_sees_why_a_delivery_failed_as_a_category_only(
    api: httpx.AsyncClient, world: World
) -> None:
    body = {"community_id": "c", "url": "https://hooks.example/x", "event_types": []}
    hook = (await api.post("/api/v1/webhooks", json=body, headers=headers("olga"))).json()["id"]
    failed = replace(
        delivery(1, recipient=hook), key=f"ev-1:{hook}:webhook", channel=Channel.WEBHOOK
    )
    world.store.queue[failed.key] = failed
    world.store.status[failed.key] = DeliveryStatus.FAILED
    world.store.errors[failed.key] = ("connect to 10.0.0.7:5432 refused", Failure.UNREACHABLE)
    log = await api.get(f"/api/v1/webhooks/{hook}/deliveries", headers=headers("olga"))
    assert log.status_code == 200, log.text
    [entry] = log.json()["items"]
    assert (entry["failure"], entry["last_error"]) == ("unreachable", None)


async def test_a_former_owner_manages_no_webhook(api: httpx.AsyncClient, world: World) -> None:
    body = {"community_id": "c", "url": "https://hooks.example/x", "event_types": []}
    assert (await api.post("/api/v1/webhooks", json=body, headers=headers("olga"))).is_success
    former = replace(world.store.memberships[("c", "olga")], standing=Standing.LEFT)
    world.store.memberships[("c", "olga")] = former
    refused(
        await api.post("/api/v1/webhooks", json=body, headers=headers("olga")), 403, "not-owner"
    )


async def test_feed_pages_continue_with_opaque_cursors_and_refuse_forged_ones(
    api: httpx.AsyncClient, world: World
) -> None:
    world.store.feed = [item(n, "ada") for n in range(1, 6)] + [item(9, "bo")]
    first = (await api.get("/api/v1/notifications?limit=3", headers=headers("ada"))).json()
    assert [i["title"] for i in first["items"]] == ["Thread 5", "Thread 4", "Thread 3"]
    rest = await api.get(
        "/api/v1/notifications", params={"cursor": first["next_cursor"]}, headers=headers("ada")
    )
    assert [i["title"] for i in rest.json()["items"]] == ["Thread 2", "Thread 1"]
    assert rest.json()["next_cursor"] is None

    # A cursor this API did not issue used to give the first page again: now it is refused.
    for forged in ("not-a-cursor", f"{3:024x}", encode_cursor(("zz",)), encode_cursor((1, 2))):
        response = await api.get(
            "/api/v1/notifications", params={"cursor": forged}, headers=headers("ada")
        )
        refused(response, 400, "invalid-cursor")


async def test_only_ones_own_notifications_and_browsers_can_be_changed(
    api: httpx.AsyncClient, world: World
) -> None:
    world.store.feed = [item(1, "bo")]
    refused(
        await api.post(f"/api/v1/notifications/{1:024x}/read", headers=headers("ada")),
        404,
        "notification-not-found",
    )
    assert world.store.feed[0].read_at is None
    assert (
        await api.post(f"/api/v1/notifications/{1:024x}/read", headers=headers("bo"))
    ).status_code == 204
    refused(
        await api.post(
            "/api/v1/push/subscriptions/delete",
            json={"endpoint": "https://push.example/x"},
            headers=headers("ada"),
        ),
        404,
        "subscription-not-found",
    )


def delivery(n: int, *, recipient: str = "ada") -> Delivery:
    return Delivery(
        key=f"ev-{n}:{recipient}:email",
        event_id=f"ev-{n}",
        recipient_id=recipient,
        channel=Channel.EMAIL,
        template="thread_created",
        locale="it",
        address="ada@example.org",
        context={},
        created_at=NOW + timedelta(minutes=n),
    )


async def test_the_delivery_log_is_for_operations_and_pages_by_opaque_cursors(
    api: httpx.AsyncClient, world: World
) -> None:
    for n in range(1, 4):
        world.store.queue[delivery(n).key] = delivery(n)
        world.store.status[delivery(n).key] = DeliveryStatus.SENT
    log = "/api/v1/notifications/deliveries"
    refused(await api.get(log, headers=headers("ada")), 403, "not-operator")
    page = (await api.get(f"{log}?limit=2", headers=headers(OPERATOR))).json()
    assert [d["key"] for d in page["items"]] == [delivery(3).key, delivery(2).key]
    rest = await api.get(log, params={"cursor": page["next_cursor"]}, headers=headers(OPERATOR))
    assert [d["key"] for d in rest.json()["items"]] == [delivery(1).key]
    mine = await api.get(f"{log}/mine", params={"cursor": "x"}, headers=headers("ada"))
    refused(mine, 400, "invalid-cursor")
    position: Any = ("yesterday", "ev-1:ada:email")  # the right arity, not a time
    forged = await api.get(
        f"{log}/mine", params={"cursor": encode_cursor(position)}, headers=headers("ada")
    )
    refused(forged, 400, "invalid-cursor")

    refused(
        await api.post(f"{log}/nope/retry", headers=headers(OPERATOR)), 404, "delivery-not-found"
    )
    refused(
        await api.post(f"{log}/{delivery(1).key}/retry", headers=headers(OPERATOR)),
        409,
        "delivery-not-retryable",
    )
    refused(
        await api.post(f"{log}/{delivery(1).key}/retry", headers=headers("ada")),
        403,
        "not-operator",
    )


async def test_a_forged_unsubscribe_link_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/v1/unsubscribe", params={"token": "forged-token-123"})
    refused(response, 400, "invalid-unsubscribe-token")


JOINED = "cerchia.membership.member_joined.v1"


@pytest.mark.parametrize(
    "case",
    [
        ("https://hooks.example/x", ["cerchia.nothing.v1"], "event_types", "cerchia.nothing.v1"),
        # Carries a password reset link: never sent to an integrator, so no filter names it.
        (
            "https://hooks.example/x",
            ["cerchia.membership.password_reset_requested.v2"],
            "event_types",
            "never receive",
        ),
        ("https://hooks.example:0/x", [JOINED], "url", "port"),
        ("https://olga:hunter2@hooks.example/x", [JOINED], "url", "credentials"),
        ("https://olga@hooks.example/x", [], "url", "credentials"),
        ("http://hooks.example/x", [JOINED], "url", "https"),
    ],
)
async def test_a_webhook_registration_is_refused_naming_the_field_at_fault(
    api: httpx.AsyncClient, world: World, case: tuple[str, list[str], str, str]
) -> None:
    url, event_types, field, says = case
    body = {"community_id": "c", "url": url, "event_types": event_types}
    response = await api.post("/api/v1/webhooks", json=body, headers=headers("olga"))
    refused(response, 422, "invalid-webhook")
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", field]
    assert says in error["msg"]
    assert "hunter2" not in response.text
    assert world.store.webhooks == {}


async def test_a_port_beyond_65535_is_refused_as_invalid_input(api: httpx.AsyncClient) -> None:
    body = {"community_id": "c", "url": "https://hooks.example:70000/x", "event_types": []}
    response = await api.post("/api/v1/webhooks", json=body, headers=headers("olga"))
    refused(response, 422, "validation-error")
    assert response.json()["errors"][0]["loc"] == ["body", "url"]


async def test_a_valid_webhook_registration_is_kept_as_given(
    api: httpx.AsyncClient, world: World
) -> None:
    body = {"community_id": "c", "url": "https://hooks.example:8443/x", "event_types": [JOINED]}
    created = await api.post("/api/v1/webhooks", json=body, headers=headers("olga"))
    assert created.status_code == 201, created.text
    [kept] = world.store.webhooks.values()
    assert (kept.url, kept.event_types) == ("https://hooks.example:8443/x", (JOINED,))


async def test_plain_http_webhooks_only_with_the_local_development_switch(world: World) -> None:
    url, types = "http://localhost:8000/hooks", (JOINED,)
    with pytest.raises(InvalidWebhook):
        await register_webhook(
            "olga", community_id="c", url=url, event_types=types, ports=world.api()
        )
    local = world.api(webhook_allow_http=True)
    made = await register_webhook("olga", community_id="c", url=url, event_types=types, ports=local)
    assert made.url == url


def test_webhooks_filter_on_the_event_types_they_can_receive() -> None:
    assert JOINED in WEBHOOK_EVENT_TYPES
    assert "cerchia.content.direct_message_sent.v1" not in WEBHOOK_EVENT_TYPES
    check_registration("https://h.example/", [JOINED], allow_http=False)
    with pytest.raises(InvalidWebhook) as refusal:
        check_registration("ftp://h.example/", ["x"], allow_http=True)
    assert set(refusal.value.errors) == {"url", "event_types"}


@pytest.mark.parametrize(
    "case",
    [
        ({"categories": {"account": {"email": "off"}}}, "categories.account.email", "security"),
        ({"categories": {"account": {"email": "digest"}}}, "categories.account.email", "security"),
        (
            {"communities": {"c": {"account": {"email": "off"}}}},
            "communities.c.account.email",
            "security",
        ),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours", "empty"),
    ],
)
async def test_preferences_that_could_not_be_honoured_are_refused_naming_the_field(
    api: httpx.AsyncClient, world: World, case: tuple[dict[str, Any], str, str]
) -> None:
    world.store.communities["c"] = CommunityState("c")
    body, field, says = case
    response = await api.put("/api/v1/preferences", json=body, headers=headers("ada"))
    refused(response, 422, "invalid-preferences")
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", *field.split(".")]
    assert says in error["msg"]
    assert "ada" not in world.store.preferences


@pytest.mark.parametrize(
    "body",
    [
        {"communities": {"gone": {"events": {"email": "off"}}}},
        {"community_digests": {"gone": {"hour": 7}}},
    ],
)
async def test_preferences_for_a_community_that_does_not_exist_answer_404(
    api: httpx.AsyncClient, world: World, body: dict[str, Any]
) -> None:
    world.store.communities["c"] = CommunityState("c")
    response = await api.put("/api/v1/preferences", json=body, headers=headers("ada"))
    refused(response, 404, "community-not-found")
    assert "gone" in response.json()["detail"]
    assert "ada" not in world.store.preferences


async def test_sensible_preferences_are_kept_and_a_vanished_community_does_not_block_them(
    api: httpx.AsyncClient, world: World
) -> None:
    world.store.communities["c"] = CommunityState("c")
    body = {
        "categories": {"account": {"email": "instant", "in_app": True}},
        "communities": {"c": {"events": {"email": "off"}}},
        "quiet_hours": {"start": "22:00", "end": "07:00"},
    }
    saved = await api.put("/api/v1/preferences", json=body, headers=headers("ada"))
    assert saved.status_code == 200, saved.text
    assert world.store.preferences["ada"].communities["c"][Category.EVENTS].email == "off"

    # The community is gone from the projection: what was read can still be written back.
    del world.store.communities["c"]
    read = (await api.get("/api/v1/preferences", headers=headers("ada"))).json()
    again = await api.put("/api/v1/preferences", json=read, headers=headers("ada"))
    assert again.status_code == 200, again.text


async def test_preferences_are_not_paged_so_any_cursor_is_refused(api: httpx.AsyncClient) -> None:
    for cursor in ("zzz", encode_cursor((1,))):
        response = await api.get(
            "/api/v1/preferences", params={"cursor": cursor}, headers=headers("ada")
        )
        refused(response, 400, "invalid-cursor")
    assert (await api.get("/api/v1/preferences", headers=headers("ada"))).status_code == 200
