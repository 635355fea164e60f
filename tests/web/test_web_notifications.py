"""Notifications in the browser: the centre and badge updated live over SSE without a reload,
opening one marks it read, preferences saved through the matrix, my delivery log, web push in the
service worker."""

import asyncio
import base64
import os
import re
import uuid
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.async_api import Browser, BrowserContext, expect

from tests.authz_world import community_body, ok
from tests.platform import Member, Platform, sign_up
from tests.web.people import accessible, sign_in
from tests.web.test_web_moderation import reload_until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


async def open_community(client: httpx.AsyncClient, owner: Member, *members: Member) -> str:
    body = {**community_body(f"c{uuid.uuid4().hex[:10]}", "public"), "join_policy": "open"}
    community = ok(await client.post("/api/v1/communities", json=body, headers=owner.auth))
    for member in members:
        ok(
            await client.post(
                f"/api/v1/communities/{community['id']}/join",
                json={"code_of_conduct_version": community["code_of_conduct_version"]},
                headers=member.auth,
            )
        )
    return str(community["id"])


async def test_a_mention_reaches_the_open_page_live_and_opening_it_marks_it_read(
    platform: Platform, context: BrowserContext
) -> None:
    async with platform.client() as client:
        ada = await sign_up(client, platform.smtp, "Ada", handle=True)
        bruno = await sign_up(client, platform.smtp, "Bruno")
        community = await open_community(client, ada, bruno)

        page = await context.new_page()
        await sign_in(page, platform, ada.email)
        await page.goto(f"{platform.web_url}/notifications")
        await accessible(page)

        title = f"Thoughts for @{ada.handle} {uuid.uuid4().hex[:6]}"
        thread = ok(
            await client.post(
                f"/api/v1/communities/{community}/threads",
                json={"title": title, "body": f"What do you think, @{ada.handle}?"},
                headers=bruno.auth,
            )
        )

        # No reload: the item and the badge arrive over the page's event stream.
        item = page.locator("#feed li").filter(has_text="mention")
        await expect(item.first).to_be_visible(timeout=30_000)
        unread = ok(await client.get("/api/v1/notifications/unread-count", headers=ada.auth))
        assert unread["unread"] >= 1
        badge = page.locator("#notification-badge .badge")
        await expect(badge).to_have_text(f"unread: {unread['unread']}")
        await accessible(page)

        await item.first.get_by_role("button").click()
        await page.wait_for_url(f"**/communities/{community}/threads/{thread['id']}")
        after = ok(await client.get("/api/v1/notifications/unread-count", headers=ada.auth))
        assert after["unread"] == unread["unread"] - 1

        # The mention's email links to its unsubscribe page on the web client, which works.
        mail = await platform.smtp.wait_for(
            lambda m: m["To"] == ada.email and m["List-Unsubscribe"] is not None, timeout=60
        )
        link = re.search(r"<(http[^>]+)>", str(mail["List-Unsubscribe"]))
        assert link is not None
        assert link.group(1).startswith(f"{platform.web_url}/api/v1/unsubscribe?token=")
        await page.goto(link.group(1))
        await accessible(page)
        await page.get_by_role("button", name="Unsubscribe").click()
        await expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()


async def test_preferences_are_saved_from_the_matrix(
    platform: Platform, context: BrowserContext
) -> None:
    async with platform.client() as client:
        ada = await sign_up(client, platform.smtp, "Ada")
        bruno = await sign_up(client, platform.smtp, "Bruno")
        community = await open_community(client, ada, bruno)
        page = await context.new_page()
        await sign_in(page, platform, bruno.email)
        await page.goto(f"{platform.web_url}/notifications/preferences")
        await accessible(page)

        await page.get_by_label("Discussions I follow: email").first.select_option("off")
        await page.locator("summary").first.click()
        community_mentions = page.locator(f'select[name="{community}.mentions.email"]')
        await community_mentions.select_option("digest")
        await page.get_by_label("From").fill("22:00")
        await page.get_by_label("To").fill("07:30")
        await page.get_by_label("How often").select_option("weekly")
        await page.get_by_role("button", name="Save preferences").click()
        await expect(page.get_by_text("Preferences saved.")).to_be_visible()

        saved = ok(await client.get("/api/v1/preferences", headers=bruno.auth))
        assert saved["categories"]["discussions"]["email"] == "off"
        assert saved["communities"][community] == {
            "mentions": {**saved["categories"]["mentions"], "email": "digest"}
        }
        assert saved["quiet_hours"]["start"].startswith("22:00")
        assert saved["digest"]["frequency"] == "weekly"
        # The page shows what was saved.
        await expect(page.get_by_label("Discussions I follow: email").first).to_have_value("off")


async def test_my_delivery_log_says_what_was_sent_and_how_it_went(
    platform: Platform, context: BrowserContext
) -> None:
    async with platform.client() as client:
        ada = await sign_up(client, platform.smtp, "Ada", handle=True)
        bruno = await sign_up(client, platform.smtp, "Bruno")
        community = await open_community(client, ada, bruno)
        page = await context.new_page()
        await sign_in(page, platform, ada.email)

        # Bruno mentions Ada: she is emailed at once (her preferences' default).
        ok(
            await client.post(
                f"/api/v1/communities/{community}/threads",
                json={"title": "Looms", "body": f"What do you think, @{ada.handle}?"},
                headers=bruno.auth,
            )
        )
        await platform.smtp.wait_for(
            lambda m: m["To"] == ada.email and m["List-Unsubscribe"] is not None, timeout=60
        )

        await page.goto(f"{platform.web_url}/notifications/preferences")
        await page.get_by_role("link", name="What was sent to you, and whether it arrived").click()
        await expect(page.get_by_role("heading", name="What was sent to you")).to_be_visible()
        await reload_until(
            page,
            f"{platform.web_url}/notifications/deliveries",
            ".delivery-row:has-text('A mention of you'):has-text('sent')",
        )
        mention = page.locator(".delivery-row").filter(has_text="A mention of you")
        await expect(mention.filter(has_text="Email")).to_have_count(1)
        confirmation = page.locator(".delivery-row").filter(has_text="Confirming your address")
        await expect(confirmation).to_contain_text("sent")
        await accessible(page)
        await page.get_by_role("link", name="Not delivered").click()
        await expect(page.get_by_role("link", name="Not delivered")).to_have_attribute(
            "aria-current", "page"
        )
        await expect(
            page.locator(".delivery-row")
            .filter(has_text="A mention of you")
            .filter(has_text="Email")
        ).to_have_count(0)
        await accessible(page)


def _subscription() -> dict[str, Any]:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return {
        "endpoint": f"https://push.example.org/send/{uuid.uuid4().hex}",
        "expirationTime": None,
        "keys": {"p256dh": b64(point), "auth": b64(os.urandom(16))},
    }


async def test_push_in_the_service_worker_shows_the_notification(
    platform: Platform, browser: Browser
) -> None:
    context = await browser.new_context()
    try:
        await context.grant_permissions(["notifications"], origin=platform.web_url)
        async with platform.client() as client:
            ada = await sign_up(client, platform.smtp, "Ada")
        page = await context.new_page()
        await sign_in(page, platform, ada.email)
        await page.goto(f"{platform.web_url}/notifications/preferences")
        await expect(page.locator("#push")).to_be_visible()
        await expect(page.locator("#push-state")).to_have_text("Push is off for this browser.")

        # The browser's subscription reaches the platform through the client (CSRF header on),
        # and is refused without the header.
        subscription = _subscription()
        status = await page.evaluate(
            """async (body) => {
                const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token'];
                const post = (headers) => fetch('/notifications/push/subscribe', {
                    method: 'POST', headers: {'Content-Type': 'application/json', ...headers},
                    body: JSON.stringify(body)}).then(r => r.status);
                return [await post({}), await post({'X-CSRF-Token': token})];
            }""",
            subscription,
        )
        assert status == [403, 204]

        # A push delivered to the service worker is shown, pointing at the page to open.
        cdp = await context.new_cdp_session(page)
        registrations: list[dict[str, Any]] = []
        registered = asyncio.Event()

        def updated(event: dict[str, Any]) -> None:
            registrations.extend(event["registrations"])
            if registrations:
                registered.set()

        cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
        await cdp.send("ServiceWorker.enable")
        await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        await asyncio.wait_for(registered.wait(), timeout=30)
        registration = registrations[-1]
        # A freshly activated worker may miss the first message while it starts: deliver again
        # (the same tag replaces, never adds) until it is shown, a few times at most.
        shown: list[list[str]] = []
        for _ in range(5):
            await cdp.send(
                "ServiceWorker.deliverPushMessage",
                {
                    "origin": platform.web_url,
                    "registrationId": registration["registrationId"],
                    "data": '{"title": "Bruno mentioned you", "body": "In Circle", '
                    '"tag": "mention-1", "url": "/communities/abc/threads/def"}',
                },
            )
            shown = await page.evaluate(
                """async () => {
                    const registration = await navigator.serviceWorker.ready;
                    for (let i = 0; i < 30; i++) {
                        const found = await registration.getNotifications();
                        if (found.length) return found.map(n => [n.title, n.body, n.data.url]);
                        await new Promise(r => setTimeout(r, 100));
                    }
                    return [];
                }"""
            )
            if shown:
                break
        assert shown == [["Bruno mentioned you", "In Circle", "/communities/abc/threads/def"]]
    finally:
        await context.close()
