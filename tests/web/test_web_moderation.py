"""Moderation in the browser: Ada (owner) makes Chiara a moderator and flags Bruno's advert;
Chiara, without JavaScript, reads it in the queue with its context and hides it with a reason;
Bruno no longer sees it, the log says who decided and why; Ada bans Bruno and lifts the ban from
the audit log."""

import uuid

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.platform import Platform
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible
from tests.web.test_web_discussions import found, join, person
from tests.web.test_web_gatherings import without_javascript

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]


async def reload_until(page: Page, url: str, selector: str, attempts: int = 30) -> None:
    """Open ``url`` until ``selector`` is on it (another person's change reaches a service's
    projection a moment later)."""
    for _ in range(attempts):
        await page.goto(url)
        if await page.locator(selector).count():
            return
        await page.wait_for_timeout(1000)
    await expect(page.locator(selector)).to_be_visible()


async def test_a_flag_is_decided_by_a_moderator_without_javascript_and_a_ban_is_lifted(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    chiara = await without_javascript(browser, platform, "Chiara")
    try:
        bruno = await person(await bruno_context.new_page(), platform, "Bruno")
        watch_csp(ada.page)
        community_id = await found(platform, ada, f"Moderated {uuid.uuid4().hex[:6]}")
        await join(platform, bruno, community_id)
        await join(platform, chiara, community_id)
        community = f"{platform.web_url}/communities/{community_id}"

        # Ada makes Chiara a moderator from the members page.
        await ada.page.goto(f"{community}/members")
        row = ada.page.locator(".member-row").filter(has_text="Chiara")
        await row.get_by_text("Manage Chiara").click()
        await row.get_by_label("Role").select_option("moderator")
        await row.get_by_role("button", name="Change the role").click()
        await expect(ada.page.get_by_text("The role is changed.")).to_be_visible()
        await accessible(ada.page)

        # Bruno posts an advert; Ada flags it from the thread.
        async with platform.client() as client:
            posted = await client.post(
                f"/api/v1/communities/{community_id}/threads",
                json={"title": "Cheap looms!", "body": "Buy at https://example.org/looms today."},
                headers=bruno.auth,
            )
            assert posted.status_code == 201, posted.text
        thread_url = f"{community}/threads/{posted.json()['id']}"
        await ada.page.goto(thread_url)
        await ada.page.get_by_role("link", name="Flag", exact=True).click()
        await expect(ada.page.locator("article")).to_contain_text("Cheap looms!")
        await accessible(ada.page)
        await ada.page.get_by_label("What is wrong with it").fill("Advertising, not a discussion.")
        await ada.page.get_by_role("button", name="Send the flag").click()
        await expect(
            ada.page.get_by_text("Thank you: the moderators will look at it.")
        ).to_be_visible()
        assert ada.page.url == thread_url

        # The queue shows the post with its context and the reason.
        await ada.page.goto(f"{community}/moderation")
        card = ada.page.locator(".flag-card").filter(has_text="Cheap looms!")
        await expect(card).to_contain_text("Advertising, not a discussion.")
        await expect(card).to_contain_text("Buy at")
        await accessible(ada.page)
        await screenshot(ada.page, "14-moderation-queue")

        # Chiara, without JavaScript, decides once content knows she moderates.
        await reload_until(chiara.page, f"{community}/moderation", ".flag-card")
        chiara_card = chiara.page.locator(".flag-card").filter(has_text="Cheap looms!")
        await chiara_card.get_by_label("Hide it (it can be restored)").check()
        await chiara_card.get_by_label("Reason (kept in the log").fill("No adverts here.")
        await chiara_card.get_by_role("button", name="Decide").click()
        await expect(chiara.page.get_by_text("Decided; it is in the log.")).to_be_visible()
        await expect(chiara.page.get_by_text("Nothing to look at: no open flags.")).to_be_visible()

        # Bruno no longer reads his advert; the log says who hid it and why.
        missing = await bruno.page.goto(thread_url)
        assert missing is not None
        assert missing.status == 404
        await ada.page.goto(f"{community}/moderation/log")
        entry = ada.page.locator("#log tbody tr").first
        await expect(entry).to_contain_text("hidden")
        await expect(entry).to_contain_text("Chiara")
        await expect(entry).to_contain_text("No adverts here.")
        await accessible(ada.page)

        # Ada bans Bruno, then lifts the ban from the audit log.
        await ada.page.goto(f"{community}/members")
        row = ada.page.locator(".member-row").filter(has_text="Bruno")
        await row.get_by_text("Manage Bruno").click()
        await row.get_by_label("Why ban them").fill("Keeps advertising.")
        await row.get_by_role("button", name="Ban for good").click()
        await expect(ada.page.get_by_text("The person is banned.")).to_be_visible()
        await expect(ada.page.locator(".member-row").filter(has_text="Bruno")).to_have_count(0)
        await ada.page.goto(f"{community}/audit")
        ban = ada.page.locator(".audit-row").filter(has_text="member banned").first
        await expect(ban).to_contain_text("Keeps advertising.")
        await accessible(ada.page)
        await ban.get_by_text("Lift this ban").click()
        await ban.get_by_label("Why (kept in the log)").fill("Apologised.")
        await ban.get_by_role("button", name="Lift the ban").click()
        await expect(ada.page.get_by_text("The ban is lifted.")).to_be_visible()
        await expect(ada.page.locator(".audit-row").first).to_contain_text("ban lifted")
    finally:
        await bruno_context.close()
        await chiara.page.context.close()


async def test_moderation_pages_are_for_moderators_only(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    try:
        bruno = await person(await bruno_context.new_page(), platform, "Bruno")
        community_id = await found(platform, ada, f"Guarded {uuid.uuid4().hex[:6]}")
        await join(platform, bruno, community_id)
        for path in ("moderation", "moderation/log", "audit"):
            answer = await bruno.page.goto(f"{platform.web_url}/communities/{community_id}/{path}")
            assert answer is not None
            assert answer.status == 403, path
        unknown = await bruno.page.goto(
            f"{platform.web_url}/communities/{community_id}/flag?kind=reply&id={uuid.uuid4()}"
        )
        assert unknown is not None
        assert unknown.status == 404
    finally:
        await bruno_context.close()
