"""Direct messages in the browser: Ada writes to Bruno from the community's members; Bruno,
without JavaScript, finds the new conversation marked and answers; Ada's open conversation shows
the answer live; a block stops the conversation both ways and unblocking reopens it."""

import uuid

import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.platform import Platform
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible
from tests.web.test_web_discussions import found, join, person
from tests.web.test_web_gatherings import without_javascript

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]


async def test_members_write_to_each_other_live_and_a_block_stops_it_both_ways(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno = await without_javascript(browser, platform, "Bruno")
    try:
        watch_csp(ada.page)
        community_id = await found(platform, ada, f"Letters {uuid.uuid4().hex[:6]}")
        await join(platform, bruno, community_id)

        # Ada writes to Bruno from the community's members.
        await ada.page.goto(f"{platform.web_url}/communities/{community_id}")
        await ada.page.get_by_role("button", name="Members").click()
        await accessible(ada.page)
        await ada.page.get_by_role("link", name="Send Bruno a message").click()
        await expect(ada.page.get_by_role("heading", name="Write to Bruno")).to_be_visible()
        await accessible(ada.page)
        await ada.page.get_by_label("Your message").fill("Hello Bruno, coffee on Thursday?")
        await ada.page.get_by_role("button", name="Send").click()
        await expect(
            ada.page.get_by_role("heading", name="Conversation with Bruno")
        ).to_be_visible()
        await expect(ada.page.locator("#messages")).to_contain_text("coffee on Thursday?")
        conversation_url = ada.page.url

        # Bruno, without JavaScript, finds it marked new, reads it, and answers.
        await bruno.page.goto(f"{platform.web_url}/messages")
        row = bruno.page.locator(".conversation-row").filter(has_text="Ada")
        await expect(row).to_contain_text("New")
        await row.get_by_role("link", name="Ada").click()
        await expect(bruno.page.locator("#messages")).to_contain_text("coffee on Thursday?")
        await bruno.page.get_by_label("Your message").fill("Ciao Ada, Thursday works.")
        await bruno.page.get_by_role("button", name="Send").click()
        await expect(bruno.page.locator("#messages")).to_contain_text("Thursday works.")
        await bruno.page.goto(f"{platform.web_url}/messages")
        await expect(
            bruno.page.locator(".conversation-row").filter(has_text="Ada")
        ).not_to_contain_text("New")

        # Ada, who kept the conversation open, sees the answer without reloading.
        assert ada.page.url == conversation_url
        await expect(ada.page.locator("#messages")).to_contain_text(
            "Thursday works.", timeout=30_000
        )
        await accessible(ada.page)
        await screenshot(ada.page, "10-messages")

        # Ada blocks Bruno: he can no longer write, nor can she; unblocking reopens it.
        await ada.page.reload()
        await ada.page.get_by_role("button", name="Block Bruno").click()
        await expect(ada.page.get_by_text("Blocked: neither of you can write")).to_be_visible()
        await expect(ada.page.locator("#write")).to_have_count(0)
        await bruno.page.goto(conversation_url)
        await bruno.page.get_by_label("Your message").fill("Are you there?")
        await bruno.page.get_by_role("button", name="Send").click()
        await expect(bruno.page.locator(".flash")).to_be_visible()
        await expect(bruno.page.locator("#messages")).not_to_contain_text("Are you there?")
        await ada.page.get_by_role("button", name="Unblock Bruno").click()
        await expect(
            ada.page.get_by_text("Unblocked: you can write to each other again.")
        ).to_be_visible()
        await bruno.page.get_by_label("Your message").fill("Are you there now?")
        await bruno.page.get_by_role("button", name="Send").click()
        await expect(bruno.page.locator("#messages")).to_contain_text("Are you there now?")
    finally:
        await bruno.page.context.close()


async def test_a_message_that_cannot_be_sent_is_explained_and_kept(
    context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    # Nobody shares a community with this id: the form comes back with the reason and the text.
    await ada.page.goto(f"{platform.web_url}/messages/new?to=nobody-at-all&name=Nobody")
    await ada.page.get_by_label("Your message").fill("Anyone there?")
    await ada.page.get_by_role("button", name="Send").click()
    await expect(ada.page.get_by_role("alert")).to_be_visible()
    await expect(ada.page.get_by_label("Your message")).to_have_value("Anyone there?")
    await accessible(ada.page)
    missing = await ada.page.goto(f"{platform.web_url}/messages/{'0' * 32}")
    assert missing is not None
    assert missing.status == 404
