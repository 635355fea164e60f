"""Erasure on the real stack: deliveries expire, a webhook's events about an erased person
cannot be replayed, and an erased owner's webhooks stop firing."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from cerchia_contracts.events import membership as m
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.pytest_plugin import AuthKeys
from notifications.adapters.deliveries import MongoDeliveryQueue
from services.notifications.tests.community_world import World, set_up, settle, uid, until

pytestmark = pytest.mark.integration


@pytest.mark.timeout(420)  # the first of its kind in a run reads every earlier test's history
async def test_erasure_reaches_webhooks_and_deliveries_expire(
    *,
    start_notifications: Any,
    publish: Any,
    auth_keys: AuthKeys,
    endpoints: Any,
    smtp_sink: MailSink,
    mongo_uri: str,
) -> None:
    running = await start_notifications({"NOTIFICATIONS_DELIVERY_RETENTION_DAYS": "7"})
    service = running.client
    _, hook = endpoints
    w = World()
    await set_up(w, publish, smtp_sink)
    owner = auth_keys.headers(w.owner)

    async def owner_known() -> bool:
        listed = await service.get(f"/api/v1/webhooks?community_id={w.community}", headers=owner)
        return bool(listed.status_code == 200)

    await until(owner_known)
    created = await service.post(
        "/api/v1/webhooks",
        json={
            "community_id": w.community,
            "url": hook.url,
            "event_types": [m.MemberJoinedV1.event_type()],
        },
        headers=owner,
    )
    assert created.status_code == 201, created.text
    hook.secret = created.json()["secret"]
    hook_id = created.json()["id"]

    ada = uid()
    joined = w.joined(ada)
    await publish(joined)
    await until(lambda: _delivered(hook, ada))

    async def staff_told() -> bool:
        feed = await service.get("/api/v1/notifications", headers=owner)
        return any(n["actor_id"] == ada for n in feed.json()["items"])

    await until(staff_told)

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        db = client[running.database]
        # Every delivery expires after the configured retention; the service's loop purges it.
        indexes = await db["deliveries"].index_information()
        assert "by_expiry" in indexes
        stored = await db["deliveries"].find({}).to_list()
        assert stored
        for doc in stored:
            assert doc["expires_at"] - doc["created_at"] == timedelta(days=7)
        purger = MongoDeliveryQueue(db)
        now = datetime.now(UTC)
        await db["deliveries"].insert_one({"_id": "expired", "expires_at": now - timedelta(days=1)})
        assert await purger.purge_expired(now, 100) == 1  # that one only: the others are recent
        assert await db["deliveries"].find_one({"_id": "expired"}) is None
        assert await db["deliveries"].count_documents({}) == len(stored)

        # Ada is erased: the owner can no longer replay the event naming her.
        await publish(m.UserErasedV1.new(subject=ada, data=m.UserErased(user_id=ada)))

        async def unreplayable() -> bool:
            log = await service.get(f"/api/v1/webhooks/{hook_id}/deliveries", headers=owner)
            items = [d for d in log.json()["items"] if d["event_id"] == joined.id]
            return bool(items) and items[0]["replayable"] is False

        await until(unreplayable)
        # The staff's notices of her join named her: they go too.
        feed = await service.get("/api/v1/notifications", headers=owner)
        assert all(n["actor_id"] != ada for n in feed.json()["items"])
        assert await db["feed"].count_documents({"actor_id": ada}) == 0
        replay = await service.post(
            f"/api/v1/webhooks/{hook_id}/replay", json={"event_ids": [joined.id]}, headers=owner
        )
        assert replay.json() == {"replayed": 0}
        kept = await db["deliveries"].find_one({"event_id": joined.id, "channel": "webhook"})
        assert kept is not None
        assert "context" not in kept
        assert ada not in str(await db["deliveries"].find({"channel": "webhook"}).to_list())

        # The owner is erased: their webhook goes, and stops firing.
        await publish(m.UserErasedV1.new(subject=w.owner, data=m.UserErased(user_id=w.owner)))

        async def removed() -> bool:
            return await db["webhooks"].find_one({"_id": hook_id}) is None

        await until(removed)
        assert await db["deliveries"].count_documents({"recipient_id": hook_id}) == 0
    finally:
        await client.close()
    bo = uid()
    await publish(w.joined(bo))
    await settle(publish, smtp_sink)
    assert await _delivered(hook, bo) is None


async def _delivered(hook: Any, user: str) -> dict[str, Any] | None:
    found = [v for v in hook.verified if v["event"]["data"].get("user_id") == user]
    return found[0] if found else None


async def test_members_are_told_when_an_erased_owner_s_community_is_handed_over(
    *,
    start_notifications: Any,
    publish: Any,
    auth_keys: AuthKeys,
    smtp_sink: MailSink,
) -> None:
    running = await start_notifications()
    w = World()
    await set_up(w, publish, smtp_sink)
    await publish(w.joined(w.applicant))
    await publish(
        m.CommunityHandedOverV1.new(
            subject=w.community,
            data=m.CommunityHandedOver(
                community_id=w.community, new_owner_id=w.moderator, archived=False
            ),
        )
    )
    told = await smtp_sink.wait_for(
        lambda msg: (
            msg["To"] == w.emails[w.applicant]
            and msg["Subject"] == "Lettori ha un nuovo proprietario"
        ),
        timeout=30,
    )
    text = told.get_body(("plain",))
    assert text is not None
    assert "Marco" in str(text.get_content())

    async def in_feed() -> list[Any]:
        feed = await running.client.get(
            "/api/v1/notifications", headers=auth_keys.headers(w.applicant)
        )
        return [n for n in feed.json()["items"] if n["kind"] == "community_handed_over"]

    (notice,) = await until(in_feed)
    assert notice["link"] == f"/communities/{w.community}"
