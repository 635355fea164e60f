"""Content and events producers' contract events, published to Kafka, reach the people the
rules name: in the app and by email, critical cancellations through quiet hours."""

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pymongo import AsyncMongoClient

from cerchia_contracts.events import membership as m
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.pytest_plugin import AuthKeys
from notifications.adapters.messages import moment_text
from notifications.adapters.users import USERS
from services.notifications.tests.community_world import World, mail, set_up, until

pytestmark = pytest.mark.integration

ROME = ZoneInfo("Europe/Rome")


async def feed(service: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await service.get("/api/v1/notifications", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def feed_item(
    service: httpx.AsyncClient, headers: dict[str, str], kind: str, title: str
) -> dict[str, Any] | None:
    found = [i for i in await feed(service, headers) if i["kind"] == kind and i["title"] == title]
    return found[0] if found else None


async def mine(
    service: httpx.AsyncClient, headers: dict[str, str], **query: str
) -> list[dict[str, Any]]:
    response = await service.get(
        "/api/v1/notifications/deliveries/mine", params=query, headers=headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_new_thread_reaches_the_members_feeds_and_a_mention_their_inbox(
    start_notifications: Any, publish: Any, smtp_sink: MailSink, auth_keys: AuthKeys
) -> None:
    service = (await start_notifications()).client
    w = World()
    await set_up(w, publish, smtp_sink)
    await publish(w.joined(w.applicant))
    owner, applicant = auth_keys.headers(w.owner), auth_keys.headers(w.applicant)
    moderator = auth_keys.headers(w.moderator)
    # Memberships and discussions are separate topics: let the join land first.
    await until(lambda: feed_item(service, owner, "member_joined", "Ada joined Lettori"))

    thread = w.thread(w.moderator, "Libri d'estate")
    await publish(thread)
    english = await until(
        lambda: feed_item(
            service, owner, "thread_created", "New discussion in Lettori: Libri d'estate"
        )
    )
    assert english["body"].startswith("Marco started “Libri d'estate”")
    assert english["link"].endswith(f"/threads/{thread.data.thread_id}")
    assert english["actor_id"] == w.moderator
    await until(
        lambda: feed_item(
            service, applicant, "thread_created", "Nuova discussione in Lettori: Libri d'estate"
        )
    )
    assert not [i for i in await feed(service, moderator) if i["kind"] == "thread_created"]

    mention = w.mention(w.moderator, w.owner, "Libri d'estate")
    await publish(mention)
    message = await smtp_sink.wait_for(mail(w.emails[w.owner], "Marco mentioned you"), timeout=30)
    text = message.get_body(("plain",))
    assert text is not None
    assert "@Olga what do you think?" in text.get_content()
    assert message["List-Unsubscribe"] is not None  # mentions can be turned off
    await until(lambda: feed_item(service, owner, "member_mentioned", "Marco mentioned you"))
    # Discussions go to the digest by default: the thread was not emailed to anyone.
    emailed = {(d["event_id"], d["channel"]) for d in await mine(service, owner)}
    assert (mention.id, "email") in emailed
    assert (thread.id, "email") not in emailed


async def test_cancellations_and_reminders_reach_attendees_and_only_imminent_ones_wake_them(
    start_notifications: Any, publish: Any, smtp_sink: MailSink, auth_keys: AuthKeys
) -> None:
    service = (await start_notifications()).client
    w = World()
    await set_up(w, publish, smtp_sink)
    owner = auth_keys.headers(w.owner)
    # The owner is in their quiet hours now (on Rome's clock, their default time zone).
    local = datetime.now(ROME)
    quiet = {
        "start": (local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        "end": (local + timedelta(hours=2)).time().replace(second=0, microsecond=0),
    }
    put = await service.put(
        "/api/v1/preferences",
        json={"quiet_hours": {k: time.isoformat(v, "minutes") for k, v in quiet.items()}},
        headers=owner,
    )
    assert put.status_code == 200, put.text

    tonight = w.cancelled("Book night", [w.owner, w.applicant], starts_in=timedelta(hours=3))
    next_month = w.cancelled("Summer picnic", [w.owner], starts_in=timedelta(days=30))
    await publish(next_month, tonight)
    imminent = await smtp_sink.wait_for(
        mail(w.emails[w.owner], "“Book night” is cancelled"), timeout=30
    )
    assert imminent["To"] == w.emails[w.owner]
    await smtp_sink.wait_for(mail(w.emails[w.applicant], "“Book night” è annullato"), timeout=30)
    await until(
        lambda: feed_item(service, owner, "gathering_cancelled", "“Summer picnic” is cancelled")
    )

    # The far one waits for the end of the quiet hours instead of waking the owner.
    (waiting,) = await mine(service, owner, status="pending")
    assert waiting["event_id"] == next_month.id
    assert waiting["deferred"] is True
    assert waiting["urgency"] == "high"
    assert datetime.fromisoformat(waiting["due_at"]) > datetime.now(UTC) + timedelta(minutes=30)

    async def sent_tonight() -> list[dict[str, Any]]:
        return [d for d in await mine(service, owner, status="sent") if d["event_id"] == tonight.id]

    (sent,) = await until(sent_tonight)
    assert sent["urgency"] == "critical"

    reminder = w.reminder("Book night II", [w.applicant, w.moderator])
    await publish(reminder)
    for address, subject in (
        (w.emails[w.applicant], "Promemoria: “Book night II”"),
        (w.emails[w.moderator], "Promemoria: “Book night II”"),
    ):
        message = await smtp_sink.wait_for(mail(address, subject), timeout=30)
        text = message.get_body(("plain",))
        assert text is not None
        assert reminder.data.gathering_id in text.get_content()  # the link to the event
    applicant = auth_keys.headers(w.applicant)
    item = await until(
        lambda: feed_item(service, applicant, "gathering_reminder", "Promemoria: “Book night II”")
    )
    assert item["actor_id"] is None
    assert not [
        i for i in await feed(service, owner) if i["kind"] == "gathering_reminder"
    ]  # not an attendee


async def test_times_in_emails_and_the_feed_are_in_the_readers_zone_and_name_it(
    start_notifications: Any,
    publish: Any,
    smtp_sink: MailSink,
    auth_keys: AuthKeys,
    mongo_uri: str,
) -> None:
    running = await start_notifications()
    service = running.client
    w = World()
    await set_up(w, publish, smtp_sink)
    # The owner (English) lives in New York; the moderator (Italian) has no zone: Rome's.
    await publish(
        m.ProfileUpdatedV1.new(
            subject=w.owner,
            data=m.ProfileUpdated(
                user_id=w.owner,
                email=w.emails[w.owner],
                display_name="Olga",
                locale="en",
                timezone="America/New_York",
            ),
        )
    )
    # Users and gatherings are separate topics: the zone must land before the reminder does.
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    try:
        users = mongo[running.database][USERS]

        async def zone_known() -> bool:
            found = await users.find_one({"_id": w.owner})
            return found is not None and found.get("timezone") == "America/New_York"

        await until(zone_known)
    finally:
        await mongo.close()
    reminder = w.reminder("Zone night", [w.owner, w.moderator])
    await publish(reminder)
    starts = reminder.data.starts_at
    new_york = moment_text(starts, "America/New_York", "en")
    rome = moment_text(starts, "Europe/Rome", "it")
    assert re.search(r" ([A-Z]{3,4}|\(America/New_York\))$", new_york), new_york

    owners = await smtp_sink.wait_for(mail(w.emails[w.owner], "Reminder: “Zone night”"), timeout=30)
    text = owners.get_body(("plain",))
    assert text is not None
    assert new_york in text.get_content()
    assert rome not in text.get_content()
    moderators = await smtp_sink.wait_for(
        mail(w.emails[w.moderator], "Promemoria: “Zone night”"), timeout=30
    )
    italian = moderators.get_body(("plain",))
    assert italian is not None
    assert rome in italian.get_content()
    item = await until(
        lambda: feed_item(
            service, auth_keys.headers(w.owner), "gathering_reminder", "Reminder: “Zone night”"
        )
    )
    assert new_york in item["body"]
