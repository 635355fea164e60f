"""The library and courses in the browser: Bruno, without JavaScript, shares a link; Ada marks
it useful and he sees the count; Ada (owner) drafts a course with a lesson and a draft lesson,
publishes it, and Bruno enrols, works through it and completes it — the draft stays hidden from
him until Ada publishes it."""

import uuid

import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.platform import Platform
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible
from tests.web.test_web_discussions import found, join, person
from tests.web.test_web_gatherings import without_javascript

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]


async def test_resources_are_shared_and_found_useful_and_a_course_is_published_and_followed(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno = await without_javascript(browser, platform, "Bruno")
    try:
        watch_csp(ada.page)
        community_id = await found(platform, ada, f"Readers {uuid.uuid4().hex[:6]}")
        await join(platform, bruno, community_id)
        library = f"{platform.web_url}/communities/{community_id}/library"

        # Bruno shares a link, without JavaScript.
        await bruno.page.goto(library)
        await expect(bruno.page.get_by_text("Nothing in the library yet.")).to_be_visible()
        await bruno.page.get_by_label("Title").fill("Notes on the Analytical Engine")
        await bruno.page.get_by_label("Kind").select_option("article")
        await bruno.page.get_by_label("Address").fill("https://example.org/sketch")
        await bruno.page.get_by_label("Why it is worth it").fill("Note G is *the* first program.")
        await bruno.page.get_by_label("Tags").fill("history, engines")
        await bruno.page.get_by_role("button", name="Share", exact=True).click()
        await expect(bruno.page.get_by_text("Shared with the library.")).to_be_visible()
        row = bruno.page.locator(".resource-row").filter(has_text="Analytical Engine")
        await expect(row.locator(".post-body em")).to_have_text("the")

        # Ada finds it by its tag and marks it useful; Bruno sees the count.
        await ada.page.goto(f"{platform.web_url}/communities/{community_id}")
        await ada.page.get_by_role("button", name="Library").click()
        await ada.page.get_by_role("link", name="#engines").click()
        mark = ada.page.get_by_role("button", name="Useful (0)")
        await mark.click()
        await expect(ada.page.get_by_role("button", name="Useful (1)")).to_have_attribute(
            "aria-pressed", "true"
        )
        await accessible(ada.page)
        await bruno.page.goto(f"{library}?sort=useful")
        await expect(row.get_by_role("button", name="Useful (1)")).to_be_visible()

        # Ada drafts a course with a lesson and a draft lesson, then publishes it.
        await ada.page.get_by_role("link", name="Courses", exact=True).click()
        await ada.page.get_by_label("Title").fill("Reading Lovelace")
        await ada.page.get_by_label("Summary").fill("Two short lessons on **Note G**.")
        await ada.page.get_by_role("button", name="Draft the course").click()
        await expect(ada.page.get_by_role("heading", name="Reading Lovelace")).to_contain_text(
            "Draft"
        )
        await ada.page.get_by_label("Title").fill("The engine")
        await ada.page.locator("#lesson-body").fill("The mill and the store.")
        await ada.page.get_by_role("button", name="Add the lesson").click()
        await expect(ada.page.get_by_text("The lesson is added.")).to_be_visible()
        await ada.page.get_by_label("Title").fill("Note G")
        await ada.page.locator("#lesson-body").fill("Bernoulli numbers, step by step.")
        await ada.page.get_by_label("Keep it as a draft").check()
        await ada.page.get_by_role("button", name="Add the lesson").click()
        await expect(ada.page.locator("#lessons li")).to_have_count(2)
        await ada.page.get_by_role("button", name="Publish the course").click()
        await expect(ada.page.get_by_text("The course is published.")).to_be_visible()
        await accessible(ada.page)
        course_url = ada.page.url

        # Bruno sees one lesson, enrols and completes it: the course is done for now.
        await bruno.page.goto(f"{platform.web_url}/communities/{community_id}/courses")
        await bruno.page.get_by_role("link", name="Reading Lovelace").click()
        await expect(bruno.page.locator("#lessons li")).to_have_count(1)
        await bruno.page.get_by_role("button", name="Enrol").click()
        await expect(bruno.page.get_by_text("You are enrolled.")).to_be_visible()
        await expect(bruno.page.locator("#progress")).to_contain_text("0 of 1 lessons done")
        await bruno.page.get_by_role("link", name="The engine").click()
        await expect(bruno.page.locator("#lesson")).to_contain_text("The mill and the store.")
        await bruno.page.get_by_role("button", name="Mark as done").click()
        await expect(bruno.page.get_by_text("Course completed. Well done!")).to_be_visible()
        await expect(bruno.page.locator("#lesson-done")).to_be_visible()

        # Ada publishes the draft lesson: Bruno now has a lesson left.
        await ada.page.goto(course_url)
        await ada.page.get_by_role("link", name="Note G").click()
        await ada.page.get_by_role("button", name="Publish the lesson").click()
        await expect(ada.page.get_by_text("The lesson is published.")).to_be_visible()
        await accessible(ada.page)
        await screenshot(ada.page, "13-lesson")
        await bruno.page.goto(course_url)
        await expect(bruno.page.locator("#lessons li")).to_have_count(2)
        await expect(bruno.page.locator("#progress")).to_contain_text("1 of 2 lessons done")
    finally:
        await bruno.page.context.close()


async def test_library_pages_refuse_what_they_cannot_do(
    context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    community_id = await found(platform, ada, f"Shelves {uuid.uuid4().hex[:6]}")
    page = ada.page
    await page.goto(f"{platform.web_url}/communities/{community_id}/library")
    await page.get_by_label("Title").fill("A link that is not one")
    await page.get_by_label("Address").fill("ftp://example.org/file")
    await page.get_by_role("button", name="Share", exact=True).click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await expect(page.get_by_label("Title")).to_have_value("A link that is not one")
    missing = await page.goto(
        f"{platform.web_url}/communities/{community_id}/courses/{uuid.uuid4()}"
    )
    assert missing is not None
    assert missing.status == 404
