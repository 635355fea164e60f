"""Operations on the real stack: delivery outcomes on Kafka, the failed-delivery log and its
replay, webhooks disabled then replayed, emails waiting for a late account, a VAPID key that
survives a restart."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from cerchia_contracts.catalog import NOTIFICATIONS_DELIVERIES, AnyEvent
from cerchia_contracts.events import membership as m
from cerchia_contracts.events import notifications as n
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.pytest_plugin import AuthKeys
from services.notifications.tests.community_world import World, set_up, uid, until

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Stack:
    """What drives a scenario: the Kafka publisher, the mail sink and access tokens."""

    publish: Any
    sink: MailSink
    auth: AuthKeys


@pytest.fixture
def stack(publish: Any, smtp_sink: MailSink, auth_keys: AuthKeys) -> Stack:
    return Stack(publish, smtp_sink, auth_keys)


class Outcomes:
    """Everything published on ``notifications.deliveries.v1`` while the test runs."""

    def __init__(self) -> None:
        self.events: list[AnyEvent] = []

    async def of(self, key: str, kind: type[AnyEvent], count: int = 1) -> list[AnyEvent] | None:
        found = [e for e in self.events if isinstance(e, kind) and e.data.delivery_key == key]
        return found if len(found) >= count else None


@pytest.fixture
async def outcomes(kafka: KafkaCluster) -> AsyncIterator[Outcomes]:
    consumer = AIOKafkaConsumer(
        NOTIFICATIONS_DELIVERIES.name,
        **kafka.admin.client_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen = Outcomes()

    async def collect() -> None:
        async for record in consumer:
            seen.events.append(NOTIFICATIONS_DELIVERIES.decode(record.value))

    task = asyncio.create_task(collect())
    try:
        yield seen
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await consumer.stop()


async def webhook(service: httpx.AsyncClient, headers: dict[str, str], hook_id: str) -> Any:
    response = await service.get(f"/api/v1/webhooks/{hook_id}/deliveries", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_failing_webhook_is_disabled_its_owner_told_and_what_it_missed_replayed(
    start_notifications: Any, stack: Stack, endpoints: Any, outcomes: Outcomes
) -> None:
    publish, smtp_sink, auth_keys = stack.publish, stack.sink, stack.auth
    operator = uid()
    service = (
        await start_notifications(
            env={
                "NOTIFICATIONS_OPERATOR_IDS": json.dumps([operator]),
                "NOTIFICATIONS_DISPATCH_MAX_ATTEMPTS": "2",
                "NOTIFICATIONS_WEBHOOK_DISABLE_AFTER": "2",
            }
        )
    ).client
    _, hook = endpoints
    w = World()
    await set_up(w, publish, smtp_sink)
    owner, ops = auth_keys.headers(w.owner), auth_keys.headers(operator)

    async def registered() -> httpx.Response | None:
        response = await service.post(
            "/api/v1/webhooks",
            json={
                "community_id": w.community,
                "url": hook.url,
                "event_types": [m.MemberJoinedV1.event_type()],
            },
            headers=owner,
        )
        return response if response.status_code == 201 else None  # once the owner is projected

    created = (await until(registered)).json()
    hook.secret, hook_id = created["secret"], created["id"]
    hook.fail_with = 503
    started = datetime.now(UTC) - timedelta(seconds=1)
    joined = w.joined(uid())
    await publish(joined)
    key = f"{joined.id}:{hook_id}:webhook"

    # Two attempts (with backoff) fail: the delivery is a dead letter, published for integrators.
    (failed,) = await until(lambda: outcomes.of(key, n.DeliveryFailedV1), timeout=60)
    assert isinstance(failed, n.DeliveryFailedV1)
    assert (failed.data.permanent, failed.data.attempts) == (False, 2)
    assert failed.data.reason == "webhook answered 503"
    assert failed.data.recipient_id == hook_id
    assert failed.subject == failed.data.community_id == w.community
    assert hook.failures == 2

    # The two failures in a row disabled the endpoint, and its owner is told in the app.
    listed = await service.get(f"/api/v1/webhooks?community_id={w.community}", headers=owner)
    assert listed.json()["items"][0]["active"] is False
    items = (await service.get("/api/v1/notifications", headers=owner)).json()["items"]
    told = [i for i in items if i["kind"] == "webhook_disabled"]
    assert [i["title"] for i in told] == ["A webhook of Lettori was disabled"]
    assert hook.url in told[0]["body"]

    # Operations see the dead letter; nobody else does.
    log = await service.get(
        "/api/v1/notifications/deliveries", params={"status": "failed"}, headers=ops
    )
    assert log.status_code == 200, log.text
    entry = next(d for d in log.json()["items"] if d["key"] == key)
    assert (entry["channel"], entry["attempts"], entry["replayable"]) == ("webhook", 2, True)
    assert entry["last_error"] == "webhook answered 503"
    by_event = await service.get(
        "/api/v1/notifications/deliveries", params={"event_id": joined.id}, headers=ops
    )
    assert [d["key"] for d in by_event.json()["items"]] == [key]
    refused = await service.get(
        "/api/v1/notifications/deliveries", params={"status": "failed"}, headers=owner
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert (
        await service.post(f"/api/v1/notifications/deliveries/{key}/retry", headers=owner)
    ).status_code == 403
    assert (
        await service.post("/api/v1/notifications/deliveries/nope:x:email/retry", headers=ops)
    ).status_code == 404
    # The owner sees what the endpoint missed; replaying waits until it is enabled again.
    missed = await webhook(service, owner, hook_id)
    assert [(d["event_id"], d["status"]) for d in missed["items"]] == [(joined.id, "failed")]
    while_disabled = await service.post(
        f"/api/v1/webhooks/{hook_id}/replay", json={"event_ids": [joined.id]}, headers=owner
    )
    assert while_disabled.status_code == 409

    # Fixed and enabled again: operations replay the dead letter, with a fresh attempt count.
    hook.fail_with = None
    enabled = await service.post(f"/api/v1/webhooks/{hook_id}/enable", headers=owner)
    assert enabled.json()["active"] is True
    retried = await service.post(f"/api/v1/notifications/deliveries/{key}/retry", headers=ops)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    (succeeded,) = await until(lambda: outcomes.of(key, n.DeliverySucceededV1))
    assert succeeded.data.attempts == 1
    assert [v["id"] for v in hook.verified] == [key]
    again = await service.post(f"/api/v1/notifications/deliveries/{key}/retry", headers=ops)
    assert again.status_code == 409

    # The owner replays by time range, then by event id: the same signed webhook-id each time.
    by_time = await service.post(
        f"/api/v1/webhooks/{hook_id}/replay",
        json={"since": started.isoformat()},
        headers=owner,
    )
    assert by_time.status_code == 202, by_time.text
    assert by_time.json() == {"replayed": 1}
    await until(lambda: outcomes.of(key, n.DeliverySucceededV1, count=2))
    by_id = await service.post(
        f"/api/v1/webhooks/{hook_id}/replay", json={"event_ids": [joined.id]}, headers=owner
    )
    assert by_id.json() == {"replayed": 1}
    await until(lambda: outcomes.of(key, n.DeliverySucceededV1, count=3))
    assert [v["id"] for v in hook.verified] == [key, key, key]
    assert hook.rejected == 0
    nothing_then = await service.post(
        f"/api/v1/webhooks/{hook_id}/replay",
        json={"until": started.isoformat()},
        headers=owner,
    )
    assert nothing_then.json() == {"replayed": 0}
    stranger = await service.post(
        f"/api/v1/webhooks/{hook_id}/replay",
        json={"event_ids": [joined.id]},
        headers=auth_keys.headers(w.moderator),
    )
    assert stranger.status_code == 404
    both = await service.post(
        f"/api/v1/webhooks/{hook_id}/replay",
        json={"event_ids": [joined.id], "since": started.isoformat()},
        headers=owner,
    )
    assert both.status_code == 422


async def test_an_email_about_someone_not_projected_yet_waits_for_their_account(
    start_notifications: Any, stack: Stack, outcomes: Outcomes
) -> None:
    publish, smtp_sink, auth_keys = stack.publish, stack.sink, stack.auth
    service = (await start_notifications()).client
    w = World()
    await set_up(w, publish, smtp_sink)
    late, address = uid(), f"late-{w.tag}@example.org"
    headers = auth_keys.headers(late)
    approved = m.ApplicationApprovedV1.new(
        subject=w.community,
        data=m.ApplicationApproved(
            community_id=w.community,
            actor_id=w.moderator,
            application_id=uid(),
            applicant_id=late,
            reason="Welcome aboard",
        ),
    )
    await publish(approved)

    async def parked() -> list[dict[str, Any]]:
        response = await service.get(
            "/api/v1/notifications/deliveries/mine", params={"status": "parked"}, headers=headers
        )
        return list(response.json()["items"])

    (waiting,) = await until(parked)
    assert (waiting["event_id"], waiting["channel"]) == (approved.id, "email")
    feed = (await service.get("/api/v1/notifications", headers=headers)).json()["items"]
    assert [i["kind"] for i in feed] == ["application_approved"]

    await publish(
        m.UserRegisteredV1.new(
            subject=late,
            data=m.UserRegistered(user_id=late, email=address, display_name="Lena", locale="en"),
        )
    )
    message = await smtp_sink.wait_for(
        lambda msg: msg["To"] == address and msg["Subject"] == "Welcome to Lettori", timeout=30
    )
    text = message.get_body(("plain",))
    assert text is not None
    assert "Hi Lena," in text.get_content()
    key = f"{approved.id}:{late}:email"
    (delivered,) = await until(lambda: outcomes.of(key, n.DeliverySucceededV1))
    assert delivered.data.recipient_id == late
    assert await parked() == []


async def test_a_generated_vapid_key_survives_a_restart(start_notifications: Any) -> None:
    running = await start_notifications(vapid=False)
    first = await running.client.get("/api/v1/push/vapid-public-key")
    assert first.status_code == 200, first.text
    await running.process.restart()
    second = await running.client.get("/api/v1/push/vapid-public-key")
    assert second.json() == first.json()
    assert len(first.json()["public_key"]) == 87  # base64url of an uncompressed P-256 point
