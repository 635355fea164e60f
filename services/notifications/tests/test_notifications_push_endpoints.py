"""Push subscriptions are refused unless the service may safely call them (https, a known push
service, a public address, a usable P-256 key), and a person's own delivery log names why a
delivery failed by category, never by the provider's error text."""

import base64
import json
import os
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cerchia_chassis.problems import PROBLEM_BASE, PROBLEM_JSON
from cerchia_chassis.tokens import SigningKey
from notifications.adapters.url_guard import NetworkUrlGuard
from notifications.app import create_app
from notifications.domain.deliveries import (
    Channel,
    Delivery,
    DeliveryStatus,
    Failure,
    PermanentDeliveryError,
    PushAnswer,
    TransientDeliveryError,
    settle_push,
)
from notifications.domain.push_endpoints import DEFAULT_PUSH_SERVICE_HOSTS, PushEndpointPolicy
from notifications.domain.push_keys import auth_problem, p256dh_problem
from notifications.service.dispatch import dispatch_due
from notifications.settings import NotificationsSettings
from services.notifications.tests.memory import NOW, World

pytestmark = pytest.mark.unit

KEY = SigningKey.generate()


def headers(user_id: str) -> dict[str, str]:
    token = KEY.sign_access_token(user_id, issuer="cerchia-membership", audience="cerchia")
    return {"Authorization": f"Bearer {token}"}


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_keys() -> dict[str, str]:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {"p256dh": b64(point), "auth": b64(os.urandom(16))}


def subscription(endpoint: str, **keys: str) -> dict[str, Any]:
    return {"endpoint": endpoint, "expirationTime": None, "keys": {**browser_keys(), **keys}}


async def client_on(world: World, **options: Any) -> httpx.AsyncClient:
    settings = NotificationsSettings(auth_jwks=json.dumps(KEY.jwks()), log_json=False)
    app = create_app(settings)
    app.state.container = SimpleNamespace(settings=settings, ports=world.api(**options))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://n")


@pytest.fixture
async def api(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """The API with the production push policy; the address check is left to the tests that
    are about it (the test machine resolves no public name)."""
    async with await client_on(world) as client:
        yield client


@pytest.fixture
def world() -> World:
    return World()


def refused_field(response: httpx.Response, code: str, *loc: str) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == PROBLEM_BASE + code
    [error] = [e for e in body["errors"] if e["loc"][-len(loc) :] == list(loc)]
    return str(error["msg"])


SUBSCRIBE = "/api/v1/push/subscriptions"


async def test_a_subscription_at_a_known_push_service_is_kept(
    api: httpx.AsyncClient, world: World
) -> None:
    body = subscription("https://fcm.googleapis.com/fcm/send/abc")
    assert (await api.post(SUBSCRIBE, json=body, headers=headers("ada"))).status_code == 204
    windows = subscription("https://wns2-par02p.notify.windows.com/w/?token=x")
    assert (await api.post(SUBSCRIBE, json=windows, headers=headers("ada"))).status_code == 204
    assert [s.endpoint for s in world.store.browsers["ada"]] == [
        body["endpoint"],
        windows["endpoint"],
    ]


@pytest.mark.parametrize(
    ("endpoint", "why"),
    [
        ("http://fcm.googleapis.com/fcm/send/abc", "https"),
        ("https://169.254.169.254/latest/meta-data", "not a known push service"),
        ("https://127.0.0.1:8080/push", "not a known push service"),
        ("https://push.attacker.example/x", "not a known push service"),
        ("https://fcm.googleapis.com.attacker.example/x", "not a known push service"),
        ("https://user:pw@fcm.googleapis.com/x", "not a push service URL"),
    ],
)
async def test_a_subscription_the_service_may_not_call_is_refused(
    api: httpx.AsyncClient, world: World, endpoint: str, why: str
) -> None:
    response = await api.post(SUBSCRIBE, json=subscription(endpoint), headers=headers("ada"))
    assert why in refused_field(response, "invalid-push-subscription", "endpoint")
    assert world.store.browsers.get("ada", []) == []


async def test_a_listed_host_that_resolves_to_a_private_address_is_refused(world: World) -> None:
    # An operator's list naming a host whose DNS points inward (or an IP literal): the same
    # address guard as webhooks refuses it.
    policy = PushEndpointPolicy(hosts=("localhost", "169.254.169.254"))
    guard = NetworkUrlGuard(allow_private=False)
    async with await client_on(world, push_endpoints=policy, push_guard=guard) as api:
        for endpoint in ("https://localhost/push/1", "https://169.254.169.254/push/1"):
            response = await api.post(
                SUBSCRIBE, json=subscription(endpoint), headers=headers("ada")
            )
            message = refused_field(response, "invalid-push-subscription", "endpoint")
            assert "non-public address" in message
    assert world.store.browsers.get("ada", []) == []


async def test_the_local_development_switch_lets_a_local_push_service_in(world: World) -> None:
    policy = PushEndpointPolicy(hosts=("127.0.0.1",), allow_http=True)
    guard = NetworkUrlGuard(allow_private=True)
    async with await client_on(world, push_endpoints=policy, push_guard=guard) as api:
        body = subscription("http://127.0.0.1:9999/push/1")
        assert (await api.post(SUBSCRIBE, json=body, headers=headers("ada"))).status_code == 204


async def test_a_key_that_is_not_a_p256_point_is_refused(
    api: httpx.AsyncClient, world: World
) -> None:
    endpoint = "https://fcm.googleapis.com/fcm/send/abc"
    off_curve = b64(b"\x04" + b"\x01" * 64)
    compressed = b64(b"\x02" + os.urandom(32))
    for p256dh in (off_curve, compressed, "A" * 40):
        response = await api.post(
            SUBSCRIBE, json=subscription(endpoint, p256dh=p256dh), headers=headers("ada")
        )
        assert "P-256" in refused_field(response, "validation-error", "keys", "p256dh")
    short_auth = await api.post(
        SUBSCRIBE, json=subscription(endpoint, auth=b64(os.urandom(8))), headers=headers("ada")
    )
    assert "16-byte" in refused_field(short_auth, "validation-error", "keys", "auth")
    assert world.store.browsers.get("ada", []) == []


def test_key_checks_take_what_browsers_give() -> None:
    keys = browser_keys()
    assert p256dh_problem(keys["p256dh"]) is None
    assert p256dh_problem(keys["p256dh"] + "==") is None  # padded base64url is fine too
    assert auth_problem(keys["auth"]) is None
    assert p256dh_problem("!!!") is not None


def test_host_patterns_match_the_host_and_only_subdomains_of_wildcards() -> None:
    policy = PushEndpointPolicy(hosts=DEFAULT_PUSH_SERVICE_HOSTS)
    assert policy.problem("https://updates.push.services.mozilla.com/wpush/v2/x") is None
    assert policy.problem("https://web.push.apple.com/QGx") is None
    assert policy.problem("https://a.notify.windows.com/w") is None
    assert policy.problem("https://notify.windows.com.evil.example/w") is not None
    assert policy.problem("https://evilnotify.windows.com/w") is not None
    ported = PushEndpointPolicy(hosts=("127.0.0.1:8443",), allow_http=True)
    assert ported.problem("http://127.0.0.1:8443/p") is None
    assert ported.problem("http://127.0.0.1:8444/p") is not None


def test_a_push_whose_browsers_are_all_gone_fails_as_gone() -> None:
    with pytest.raises(PermanentDeliveryError) as gone:
        settle_push([(PushAnswer.GONE, "subscription gone (410), removed")])
    assert gone.value.failure is Failure.GONE
    with pytest.raises(PermanentDeliveryError) as mixed:
        settle_push([(PushAnswer.GONE, "gone"), (PushAnswer.REFUSED, "refused (400)")])
    assert mixed.value.failure is Failure.REJECTED


class Unreachable:
    """A push service that cannot be reached, whose error names an internal address."""

    provider = "unreachable-push"

    async def send(self, delivery: Delivery) -> None:
        raise TransientDeliveryError("push service unreachable: ConnectionRefused('10.0.0.7:443')")


async def test_ones_own_delivery_log_shows_a_category_not_the_error_text(world: World) -> None:
    pushed = Delivery(
        key="ev-1:ada:push",
        event_id="ev-1",
        recipient_id="ada",
        channel=Channel.PUSH,
        template="thread_created",
        locale="en",
        address="",
        context={"title": "t", "body": "b", "link": "/"},
        created_at=NOW,
    )
    world.store.queue[pushed.key] = pushed
    world.store.status[pushed.key] = DeliveryStatus.PENDING
    sending = world.sending(senders={Channel.PUSH: Unreachable()})
    assert await dispatch_due(batch_size=10, ports=sending) == 1

    async with await client_on(world, operators=frozenset({"ops"})) as api:
        mine = await api.get("/api/v1/notifications/deliveries/mine", headers=headers("ada"))
        [entry] = mine.json()["items"]
        assert entry["failure"] == "unreachable"
        assert entry["last_error"] is None
        assert "10.0.0.7" not in mine.text
        # Operations still see what happened.
        log = await api.get("/api/v1/notifications/deliveries", headers=headers("ops"))
        [logged] = log.json()["items"]
        assert "10.0.0.7" in logged["last_error"]
        assert logged["failure"] == "unreachable"
