"""The notifications process on the real stack: membership events in, email, feed, SSE, web push
and signed webhooks out."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from cerchia_contracts.events import membership as m
from cerchia_contracts.events.membership.tokens import sealing_context
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.pytest_plugin import AuthKeys
from services.notifications.tests.community_world import (
    World,
    count,
    mail,
    set_up,
    settle,
    uid,
    until,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def service(start_notifications: Any) -> httpx.AsyncClient:
    """The notifications process, its links pointing at itself; a client on its URL."""
    running = await start_notifications()
    client: httpx.AsyncClient = running.client
    return client


@pytest.mark.timeout(420)  # the first of its kind in a full run: see ``set_up``
async def test_emails_speak_each_language_and_one_click_unsubscribe_turns_the_category_off(
    service: httpx.AsyncClient, publish: Any, smtp_sink: MailSink, auth_keys: AuthKeys
) -> None:
    w = World()
    await set_up(w, publish, smtp_sink)
    application = w.applied()
    await publish(application)

    english = await smtp_sink.wait_for(
        mail(w.emails[w.owner], "New application to Lettori"), timeout=120
    )
    italian = await smtp_sink.wait_for(
        mail(w.emails[w.moderator], "Nuova candidatura a Lettori"), timeout=120
    )
    assert english.get_content_type() == "multipart/alternative"
    text, html = english.get_body(("plain",)), english.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "Ada applied to join Lettori" in text.get_content()
    assert '<html lang="en">' in html.get_content()
    assert english["Content-Language"] == "en"
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    italian_text = italian.get_body(("plain",))
    assert italian_text is not None
    assert "Ada ha chiesto di entrare in Lettori" in italian_text.get_content()
    assert italian["Content-Language"] == "it"

    # RFC 8058: the List-Unsubscribe URI, POSTed with no credentials, unsubscribes.
    unsubscribe_url = english["List-Unsubscribe"].strip("<>")
    page = await service.get(unsubscribe_url)
    assert page.status_code == 200
    assert '<form method="post"' in page.text
    before = await service.get("/api/v1/preferences", headers=auth_keys.headers(w.owner))
    assert before.json()["categories"]["membership"]["email"] == "instant"  # GET changed nothing
    done = await service.post(
        unsubscribe_url,
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"status": "unsubscribed", "scope": "membership"}
    after = await service.get("/api/v1/preferences", headers=auth_keys.headers(w.owner))
    assert after.json()["categories"]["membership"] == {
        "in_app": True,
        "email": "off",
        "push": True,
    }
    forged = await service.post(unsubscribe_url[:-3] + "xyz")
    assert forged.status_code == 400
    assert forged.headers["content-type"] == "application/problem+json"

    # Redelivery sends nothing twice; the owner's email is off now, the moderator's is not.
    await publish(application)
    await publish(w.applied())
    await smtp_sink.wait_for(
        lambda msg: (
            msg["To"] == w.emails[w.moderator]
            and msg["Subject"] == "Nuova candidatura a Lettori"
            and msg["Message-ID"] != italian["Message-ID"]
        ),
        timeout=30,
    )
    await settle(publish, smtp_sink)
    assert await count(smtp_sink, w.emails[w.owner], "New application to Lettori") == 1
    assert await count(smtp_sink, w.emails[w.moderator], "Nuova candidatura a Lettori") == 2
    # The applicant (the actor) is told nothing about their own application.
    assert not [
        msg
        for msg in await smtp_sink.messages()
        if msg["To"] == w.emails[w.applicant] and "candidatura" in msg["Subject"]
    ]
    feed = await service.get("/api/v1/notifications", headers=auth_keys.headers(w.owner))
    kinds = [item["kind"] for item in feed.json()["items"]]
    assert kinds == ["application_submitted", "application_submitted", "member_joined"]


async def test_security_emails_carry_the_link_and_cannot_be_unsubscribed(
    service: httpx.AsyncClient, publish: Any, smtp_sink: MailSink, auth_keys: AuthKeys
) -> None:
    w = World()
    token = uuid.uuid4().hex
    kind = m.EmailVerificationRequestedV2
    await publish(
        kind.new(
            subject=w.applicant,
            data=m.EmailVerificationRequested(
                user_id=w.applicant,
                email=w.emails[w.applicant],
                display_name="Ada",
                locale="en",
                # Sealed by membership to this service's key, bound to the event.
                token=auth_keys.opening.public.seal(
                    token, context=sealing_context(kind.event_type(), w.applicant)
                ),
                expires_at=datetime.now(UTC) + timedelta(days=1),
            ),
        )
    )
    message = await smtp_sink.wait_for(
        mail(w.emails[w.applicant], "Confirm your email address"), timeout=30
    )
    text = message.get_body(("plain",))
    assert text is not None
    assert f"{service.base_url}/verify-email?token={token}" in text.get_content()
    assert message["List-Unsubscribe"] is None


async def read_events(response: httpx.Response, wanted: int) -> list[dict[str, Any]]:
    """Parse server-sent events until ``wanted`` notifications arrived."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async with asyncio.timeout(30):
        async for line in response.aiter_lines():
            if not line:
                if current.get("event") == "notification":
                    events.append(current)
                    if len(events) == wanted:
                        return events
                current = {}
                continue
            name, _, value = line.partition(":")
            current[name] = value.strip()
    return events


async def test_feed_pages_counts_marks_and_streams_with_resume(
    service: httpx.AsyncClient, publish: Any, auth_keys: AuthKeys, smtp_sink: MailSink
) -> None:
    w = World()
    await set_up(w, publish, smtp_sink)
    headers = auth_keys.headers(w.owner)
    await until(lambda: _unread(service, headers, 1))  # the moderator's join is in the feed

    async with service.stream("GET", "/api/v1/notifications/stream", headers=headers) as live:
        assert live.status_code == 200
        assert live.headers["content-type"].startswith("text/event-stream")
        await publish(w.applied())
        (first,) = await read_events(live, 1)
    assert json.loads(first["data"])["kind"] == "application_submitted"

    await publish(w.applied(), w.applied())
    resumed_headers = {**headers, "Last-Event-ID": first["id"]}
    async with service.stream(
        "GET", "/api/v1/notifications/stream", headers=resumed_headers
    ) as resumed:
        missed = await read_events(resumed, 2)
    assert first["id"] < missed[0]["id"] < missed[1]["id"]

    unread = await service.get("/api/v1/notifications/unread-count", headers=headers)
    assert unread.json() == {"unread": 4}
    page = (await service.get("/api/v1/notifications?limit=2", headers=headers)).json()
    assert [i["id"] for i in page["items"]] == [missed[1]["id"], missed[0]["id"]]
    rest = (
        await service.get(f"/api/v1/notifications?cursor={page['next_cursor']}", headers=headers)
    ).json()
    assert rest["items"][0]["id"] == first["id"]
    assert [i["kind"] for i in rest["items"]] == ["application_submitted", "member_joined"]
    assert rest["next_cursor"] is None

    someone_else = auth_keys.headers(w.moderator)
    stolen = await service.post(f"/api/v1/notifications/{first['id']}/read", headers=someone_else)
    assert stolen.status_code == 404
    marked = await service.post(f"/api/v1/notifications/{first['id']}/read", headers=headers)
    assert marked.status_code == 204
    assert (await service.get("/api/v1/notifications/unread-count", headers=headers)).json() == {
        "unread": 3
    }
    assert (await service.post("/api/v1/notifications/read-all", headers=headers)).json() == {
        "marked": 3
    }
    assert (await service.get("/api/v1/notifications", headers={})).status_code == 401


async def _unread(service: httpx.AsyncClient, headers: dict[str, str], n: int) -> bool:
    response = await service.get("/api/v1/notifications/unread-count", headers=headers)
    return bool(response.json()["unread"] == n)


async def test_web_push_reaches_the_browser_and_a_gone_subscription_is_removed(
    service: httpx.AsyncClient,
    publish: Any,
    auth_keys: AuthKeys,
    endpoints: Any,
    smtp_sink: MailSink,
) -> None:
    push, _ = endpoints
    w = World()
    await set_up(w, publish, smtp_sink)
    headers = auth_keys.headers(w.owner)
    browser, gone = push.browser(), push.browser(gone=True)
    for b in (browser, gone):
        response = await service.post(
            "/api/v1/push/subscriptions", json=b.subscription(), headers=headers
        )
        assert response.status_code == 204, response.text
    key = (await service.get("/api/v1/push/vapid-public-key")).json()["public_key"]

    await publish(w.applied())
    received = await until(lambda: _received(push, 1))
    (shown,) = received
    assert shown["payload"]["title"] == "New application to Lettori"
    assert shown["payload"]["body"] == "Ada applied to join Lettori and awaits your review."
    assert shown["payload"]["url"].startswith(str(service.base_url) + "/communities/")
    assert shown["payload"]["tag"].endswith(f":{w.owner}:push")
    assert shown["vapid_key"] == key
    assert shown["claims"]["sub"] == "mailto:ops@cerchia.local"
    assert shown["urgency"] == "normal"
    assert int(shown["ttl"]) > 0
    gone_name = gone.endpoint.rsplit("/", 1)[1]

    async def gone_hit() -> bool:  # the two subscriptions' sends are not ordered
        return push.hits.get(gone_name, 0) >= 1

    await until(gone_hit)
    assert push.hits[gone_name] == 1

    await publish(w.applied())
    await until(lambda: _received(push, 2))
    assert push.hits[gone_name] == 1  # the 410 removed it: never tried again


async def _received(push: Any, n: int) -> list[dict[str, Any]] | None:
    return push.received if len(push.received) >= n else None


async def test_webhooks_are_signed_filtered_and_managed_only_by_the_owner(
    service: httpx.AsyncClient,
    publish: Any,
    auth_keys: AuthKeys,
    endpoints: Any,
    smtp_sink: MailSink,
) -> None:
    _, hook = endpoints
    w = World()
    await set_up(w, publish, smtp_sink)
    await until(lambda: _has_owner(service, auth_keys, w))
    joined_type = m.MemberJoinedV1.event_type()
    body = {"community_id": w.community, "url": hook.url, "event_types": [joined_type]}

    refused = await service.post(
        "/api/v1/webhooks", json=body, headers=auth_keys.headers(w.moderator)
    )
    assert refused.status_code == 403
    created = await service.post("/api/v1/webhooks", json=body, headers=auth_keys.headers(w.owner))
    assert created.status_code == 201, created.text
    hook.secret = created.json()["secret"]
    assert hook.secret.startswith("whsec_")
    listed = await service.get(
        f"/api/v1/webhooks?community_id={w.community}", headers=auth_keys.headers(w.owner)
    )
    assert listed.json()["items"][0]["secret"] is None

    newcomer = uid()
    await publish(w.applied(), w.joined(newcomer))
    delivered = await until(lambda: _verified(hook, newcomer))
    assert delivered["event"]["type"] == joined_type
    assert delivered["id"].endswith(":webhook")
    # The filter holds back the application (the moderator's own join may have raced ahead).
    assert {v["event"]["type"] for v in hook.verified} == {joined_type}
    assert hook.rejected == 0


async def _has_owner(service: httpx.AsyncClient, auth_keys: AuthKeys, w: World) -> bool:
    response = await service.get(
        f"/api/v1/webhooks?community_id={w.community}", headers=auth_keys.headers(w.owner)
    )
    return response.status_code == 200


async def _verified(hook: Any, user: str) -> dict[str, Any] | None:
    found = [v for v in hook.verified if v["event"]["data"]["user_id"] == user]
    return found[0] if found else None


async def test_erasure_forgets_the_person(
    service: httpx.AsyncClient, publish: Any, smtp_sink: MailSink, auth_keys: AuthKeys
) -> None:
    w = World()
    await set_up(w, publish, smtp_sink)
    await publish(w.applied())
    headers = auth_keys.headers(w.owner)
    await smtp_sink.wait_for(mail(w.emails[w.owner], "New application to Lettori"), timeout=30)
    assert (await service.get("/api/v1/notifications", headers=headers)).json()["items"]

    await publish(m.UserErasedV1.new(subject=w.owner, data=m.UserErased(user_id=w.owner)))
    # Users and communities are separate topics: let the erasure land before the next event.
    await until(lambda: _feed_empty(service, headers))
    await publish(w.applied())
    await smtp_sink.wait_for(
        lambda msg: msg["To"] == w.emails[w.moderator] and "candidatura" in msg["Subject"],
        timeout=30,
    )
    await until(lambda: _two(smtp_sink, w))
    await settle(publish, smtp_sink)
    assert await count(smtp_sink, w.emails[w.owner], "New application to Lettori") == 1
    assert (await service.get("/api/v1/notifications", headers=headers)).json()["items"] == []


async def _feed_empty(service: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    response = await service.get("/api/v1/notifications", headers=headers)
    return response.json()["items"] == []


async def _two(sink: MailSink, w: World) -> bool:
    return await count(sink, w.emails[w.moderator], "Nuova candidatura a Lettori") == 2


async def test_a_join_replayed_after_a_later_departure_leaves_the_person_out(
    service: httpx.AsyncClient, publish: Any, smtp_sink: MailSink, auth_keys: AuthKeys
) -> None:
    # The owner left; their earlier MemberJoined, dead-lettered and never processed, is
    # replayed afterwards. The departure is newer: they stay out (and lose the owner's rights).
    w = World()
    await set_up(w, publish, smtp_sink)
    await until(lambda: _has_owner(service, auth_keys, w))
    start = datetime.now(UTC) + timedelta(minutes=1)
    gone = m.MemberLeftV1.new(
        subject=w.community,
        data=m.MemberLeft(community_id=w.community, actor_id=w.owner, user_id=w.owner),
        time=start + timedelta(minutes=2),
    )
    replayed = w.joined(w.owner, role="owner").model_copy(
        update={"time": start + timedelta(minutes=1)}
    )
    handed_over = m.MemberRoleChangedV1.new(
        subject=w.community,
        data=m.MemberRoleChanged(
            community_id=w.community,
            actor_id=w.owner,
            user_id=w.moderator,
            role="owner",
            previous_role="moderator",
        ),
        time=start + timedelta(minutes=3),
    )
    await publish(gone, replayed, handed_over)
    # One partition per community: once the last event is applied, the replay was too.
    new_owner = auth_keys.headers(w.moderator)
    url = f"/api/v1/webhooks?community_id={w.community}"
    await until(lambda: _answers(service, url, new_owner, 200))
    assert await _answers(service, url, auth_keys.headers(w.owner), 403)


async def _answers(
    service: httpx.AsyncClient, url: str, headers: dict[str, str], status: int
) -> bool:
    return (await service.get(url, headers=headers)).status_code == status


async def test_an_approval_into_a_full_community_sends_one_email_with_the_place_in_line(
    service: httpx.AsyncClient, publish: Any, smtp_sink: MailSink, auth_keys: AuthKeys
) -> None:
    w = World()
    await set_up(w, publish, smtp_sink)
    application_id = uid()
    # What membership publishes when it approves someone into a full community.
    await publish(
        m.ApplicationApprovedV1.new(
            subject=w.community,
            data=m.ApplicationApproved(
                community_id=w.community,
                actor_id=w.moderator,
                application_id=application_id,
                applicant_id=w.applicant,
                reason="Benvenuta",
                waitlist_position=3,
            ),
        ),
        m.MemberWaitlistedV1.new(
            subject=w.community,
            data=m.MemberWaitlisted(
                community_id=w.community,
                actor_id=w.moderator,
                user_id=w.applicant,
                position=3,
                via="application",
            ),
        ),
    )
    subject = "Candidatura approvata: sei in lista d'attesa per Lettori"
    message = await smtp_sink.wait_for(mail(w.emails[w.applicant], subject), timeout=30)
    text = message.get_body(("plain",))
    assert text is not None
    assert "sei il numero 3 della lista d'attesa" in text.get_content()
    await settle(publish, smtp_sink)
    about_it = [
        msg["Subject"]
        for msg in await smtp_sink.messages()
        if msg["To"] == w.emails[w.applicant] and "Lettori" in str(msg["Subject"])
    ]
    assert about_it == [subject]
    feed = await service.get("/api/v1/notifications", headers=auth_keys.headers(w.applicant))
    kinds = [item["kind"] for item in feed.json()["items"]]
    assert kinds.count("application_approved_waitlisted") == 1
    assert "member_waitlisted" not in kinds
    assert "application_approved" not in kinds
