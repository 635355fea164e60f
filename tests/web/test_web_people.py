"""People in the browser: Ada finds members by skill, is shown Bruno as worth meeting (he offers
what she looks for) with the reasons, and asks for an introduction; Bruno, without JavaScript,
accepts it, and both then read each other's contact details; Bruno reads his reasons in
Italian."""

import uuid

import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.platform import Platform
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible
from tests.web.test_web_discussions import Person, found, join, person
from tests.web.test_web_gatherings import without_javascript

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]


async def profile(platform: Platform, who: Person, **fields: list[str]) -> None:
    async with platform.client() as client:
        changed = await client.patch("/api/v1/profiles/me", json=fields, headers=who.auth)
        assert changed.status_code == 200, changed.text


async def test_members_are_found_by_skill_and_an_introduction_is_asked_for_and_accepted(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno = await without_javascript(browser, platform, "Bruno")
    try:
        watch_csp(ada.page)
        community_id = await found(platform, ada, f"Weavers {uuid.uuid4().hex[:6]}")
        await join(platform, bruno, community_id)
        await profile(platform, ada, asks=["loom restoration"], interests=["jacquard"])
        await profile(
            platform,
            bruno,
            skills=["weaving"],
            interests=["jacquard"],
            offers=["loom restoration"],
        )

        # The members, filtered by skill (each skill is a link to the same filter).
        await ada.page.goto(f"{platform.web_url}/communities/{community_id}")
        await ada.page.get_by_role("button", name="Members").click()
        await expect(ada.page.locator(".member-row")).to_have_count(2)
        await ada.page.get_by_label("Skill").fill("weaving")
        await ada.page.get_by_role("button", name="Find members").click()
        await expect(ada.page.locator(".member-row")).to_have_count(1)
        await expect(ada.page.locator(".member-row")).to_contain_text("Bruno")
        await accessible(ada.page)
        await ada.page.get_by_label("Skill").fill("glassblowing")
        await ada.page.get_by_role("button", name="Find members").click()
        await expect(ada.page.get_by_text("No member matches.")).to_be_visible()

        # Bruno is worth meeting, and the page says why; Ada asks for an introduction.
        await ada.page.get_by_role("link", name="People", exact=True).click()
        row = ada.page.locator(".suggestion-row").filter(has_text="Bruno")
        await expect(row).to_contain_text(
            "Offers “loom restoration”, which matches what you look for: “loom restoration”."
        )
        await expect(row).to_contain_text("Shares your interest in “jacquard”.")
        await accessible(ada.page)
        await screenshot(ada.page, "12-people")
        # Bruno reads in Italian: the reasons Ada is worth meeting are told in Italian too
        # (before she asks him: people already introduced are no longer suggested).
        await bruno.page.goto(f"{platform.web_url}/profile")
        await bruno.page.get_by_label("Language").select_option("it")
        await bruno.page.get_by_role("button", name="Save", exact=True).click()
        await bruno.page.goto(f"{platform.web_url}/people")
        reasons = bruno.page.locator(".suggestion-row").filter(has_text="Ada")
        await expect(reasons).to_contain_text(
            "Cerca «loom restoration», che tu offri («loom restoration»)."
        )
        await expect(reasons).to_contain_text("Condivide il tuo interesse per «jacquard».")
        await bruno.page.goto(f"{platform.web_url}/profile")
        await bruno.page.get_by_label("Lingua").select_option("en")
        await bruno.page.get_by_role("button", name="Salva", exact=True).click()
        await row.get_by_role("link", name="Ask Bruno for an introduction").click()
        await ada.page.get_by_label("Why you would like to meet").fill(
            "My grandmother's loom needs saving; could you advise me?"
        )
        await ada.page.get_by_role("button", name="Send the request").click()
        await expect(ada.page.get_by_text("Your request is sent.")).to_be_visible()
        await expect(ada.page.locator("#introduction-status")).to_have_text(
            "Waiting for an answer."
        )
        await accessible(ada.page)
        introduction_url = ada.page.url

        # Bruno, without JavaScript, finds it among his introductions and accepts it.
        await bruno.page.goto(f"{platform.web_url}/people")
        mine = bruno.page.locator(".introduction-row").filter(has_text="Ada")
        await expect(mine).to_contain_text("asked you")
        await mine.get_by_role("link", name="Ada").click()
        await expect(bruno.page.locator("#introduction")).to_contain_text("grandmother's loom")
        await bruno.page.get_by_role("button", name="Accept").click()
        await expect(
            bruno.page.get_by_text("Accepted: you can now reach each other.")
        ).to_be_visible()
        await expect(bruno.page.locator("#contact")).to_contain_text(ada.email)

        await ada.page.goto(introduction_url)
        await expect(ada.page.locator("#introduction-status")).to_have_text("Accepted.")
        await expect(ada.page.locator("#contact")).to_contain_text(bruno.email)
    finally:
        await bruno.page.context.close()


async def test_an_introduction_that_cannot_be_asked_for_is_explained(
    context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    community_id = await found(platform, ada, f"Alone {uuid.uuid4().hex[:6]}")
    await ada.page.goto(
        f"{platform.web_url}/introductions/new?to=nobody&community={community_id}&name=Nobody"
    )
    await ada.page.get_by_label("Why you would like to meet").fill("Hello?")
    await ada.page.get_by_role("button", name="Send the request").click()
    await expect(ada.page.get_by_role("alert")).to_be_visible()
    await expect(ada.page.get_by_label("Why you would like to meet")).to_have_value("Hello?")
    missing = await ada.page.goto(f"{platform.web_url}/introductions/{uuid.uuid4()}")
    assert missing is not None
    assert missing.status == 404
