"""The members' journey in two browsers: Ada signs up through the pages (confirming from the
email), founds a community with screening questions; Bruno discovers it, applies, Ada approves;
Bruno opens a thread mentioning Ada, and Ada's open page shows the notification live, without a
reload. With ``CERCHIA_SCREENSHOTS=1`` it also writes the docs' screenshots."""

import re
import uuid

import pytest
from playwright.async_api import Browser, expect

from tests.platform import PASSWORD, Platform
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible, sign_in, sign_up
from tests.web.test_web_communities import ACCEPT_CODE, emailed, found_in_browser, person

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(360)]


async def test_ada_and_bruno_meet_in_a_new_community(platform: Platform, browser: Browser) -> None:
    ada_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    bruno_context = await browser.new_context(locale="en-GB", timezone_id="Europe/London")
    try:
        ada = await ada_context.new_page()
        csp = watch_csp(ada)
        await ada.goto(platform.web_url)
        await screenshot(ada, "01-home")
        ada_email = await sign_up(ada, platform, "Ada")
        await sign_in(ada, platform, ada_email)
        word = f"atlas{uuid.uuid4().hex[:6]}"
        name = f"Map makers {word}"
        community_id = await found_in_browser(
            ada,
            platform,
            name,
            capacity=12,
            policy="application",
            questions="What do you map?",
        )
        await screenshot(ada, "02-community")

        bruno_member = await person(platform, "Bruno")
        bruno = await bruno_context.new_page()
        await bruno.goto(f"{platform.web_url}/communities")
        await bruno.get_by_label("Search communities").fill(word)
        await bruno.get_by_role("button", name="Search").click()
        await screenshot(bruno, "03-discover")
        await bruno.get_by_role("link", name=name).click()
        await expect(bruno.get_by_role("heading", name=name, level=1)).to_be_visible()
        await bruno.locator("#standing a", has_text="Sign in").click()
        await bruno.get_by_label("Email").fill(bruno_member.email)
        await bruno.get_by_label("Password").fill(PASSWORD)
        await bruno.get_by_role("button", name="Sign in").click()
        await bruno.get_by_label("What do you map?").fill("Old footpaths of the Apennines.")
        await bruno.get_by_label(ACCEPT_CODE).check()
        await bruno.get_by_role("button", name="Apply").click()
        await expect(bruno.get_by_text("Your application was sent.")).to_be_visible()

        link = await emailed(
            platform,
            ada_email,
            "New application to",
            f"/communities/{community_id}/applications/\\S+",
        )
        await ada.goto(link)
        await expect(ada.get_by_text("Old footpaths of the Apennines.")).to_be_visible()
        await ada.get_by_role("button", name="Approve").click()
        await expect(ada.get_by_text("Application approved.")).to_be_visible()

        # Ada's page stays open on her notifications while Bruno writes.
        await ada.goto(f"{platform.web_url}/notifications")
        await expect(ada.locator("#feed")).to_be_visible()
        handle = f"ada_{uuid.uuid4().hex[:8]}"
        await ada.goto(f"{platform.web_url}/profile")
        await ada.get_by_label("Handle (for @mentions)").fill(handle)
        await ada.get_by_role("button", name="Save").click()
        await expect(ada.get_by_text("Profile saved.")).to_be_visible()
        await ada.goto(f"{platform.web_url}/notifications")
        mention = ada.locator("#feed li").filter(has_text="mention")
        await expect(mention).to_have_count(0)

        await bruno.goto(f"{platform.web_url}/communities/{community_id}")
        await expect(bruno.locator("#my-state")).to_have_text("You are a member.")
        await bruno.locator("#standing a", has_text="Discussions").click()
        await bruno.get_by_label("Title").fill("Which paper for field maps?")
        await bruno.get_by_label("Message").fill(f"@{handle} what do you use outdoors?")
        await bruno.get_by_role("button", name="Open the discussion").click()
        await expect(
            bruno.get_by_role("heading", name="Which paper for field maps?")
        ).to_be_visible()
        await screenshot(bruno, "04-thread")

        # No reload on Ada's side: the notification and the badge arrive on the open page.
        await expect(mention).to_have_count(1, timeout=30_000)
        await expect(mention).to_contain_text("Bruno")
        await expect(ada.locator("#notification-badge .badge")).to_be_visible()
        await accessible(ada)
        await screenshot(ada, "05-notifications")
        assert re.search(r"/notifications$", ada.url)
        assert csp == []
    finally:
        await ada_context.close()
        await bruno_context.close()
