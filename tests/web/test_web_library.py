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


async def test_a_resource_is_edited_by_who_shared_it_and_a_course_and_lesson_by_a_moderator(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno = await without_javascript(browser, platform, "Bruno")
    try:
        csp = watch_csp(ada.page)
        community_id = await found(platform, ada, f"Editors {uuid.uuid4().hex[:6]}")
        await join(platform, bruno, community_id)
        base = f"{platform.web_url}/communities/{community_id}"

        # Bruno, without JavaScript, shares a link and corrects it in the same form, filled in.
        page = bruno.page
        await page.goto(f"{base}/library")
        await page.get_by_label("Title").fill("Sketch of the engine")
        await page.get_by_label("Address").fill("https://example.org/sketch")
        await page.get_by_label("Why it is worth it").fill("With *Note G*.")
        await page.get_by_label("Tags").fill("history")
        await page.get_by_role("button", name="Share", exact=True).click()
        await expect(page.get_by_text("Shared with the library.")).to_be_visible()
        await page.get_by_role("link", name="Edit Sketch of the engine").click()
        await expect(page.get_by_role("heading", name="Edit the resource")).to_be_visible()
        await expect(page.get_by_label("Title")).to_have_value("Sketch of the engine")
        await expect(page.get_by_label("Why it is worth it")).to_have_value("With *Note G*.")
        await expect(page.get_by_label("Tags")).to_have_value("history")
        await page.get_by_label("Title").fill("Sketch of the Analytical Engine")
        await page.get_by_label("Tags").fill("history, engines")
        await page.get_by_role("button", name="Save the changes").click()
        await expect(page.get_by_text("Your changes were saved.")).to_be_visible()

        # Ada reads the new title and tags; she did not share it, so she may not edit it.
        await ada.page.goto(f"{base}/library")
        row = ada.page.locator(".resource-row").filter(has_text="Sketch of the Analytical Engine")
        await expect(row.get_by_role("link", name="#engines")).to_be_visible()
        await expect(row.locator(".post-body em")).to_have_text("Note G")
        await expect(
            row.get_by_role("link", name="Edit Sketch of the Analytical Engine")
        ).to_have_count(0)
        resource_id = (await row.get_attribute("id") or "").removeprefix("resource-")
        answer = await ada.page.goto(f"{base}/library/{resource_id}/edit")
        assert answer is not None
        assert answer.status == 403

        # Ada drafts and publishes a course with a lesson, then corrects both.
        await ada.page.goto(f"{base}/courses")
        await ada.page.get_by_label("Title").fill("Reading Babbage")
        await ada.page.get_by_label("Summary").fill("One lesson.")
        await ada.page.get_by_role("button", name="Draft the course").click()
        await ada.page.get_by_label("Title").fill("The mill")
        await ada.page.locator("#lesson-body").fill("The mill computes.")
        await ada.page.get_by_role("button", name="Add the lesson").click()
        await ada.page.get_by_role("button", name="Publish the course").click()
        await expect(ada.page.get_by_text("The course is published.")).to_be_visible()
        course_url = ada.page.url
        await ada.page.get_by_role("link", name="Edit the course").click()
        await expect(ada.page.get_by_role("heading", name="Edit the course")).to_be_visible()
        await expect(ada.page.get_by_label("Summary")).to_have_value("One lesson.")
        await accessible(ada.page)
        await ada.page.get_by_label("Title").fill("Reading Babbage and Lovelace")
        await ada.page.get_by_role("button", name="Save the changes").click()
        await expect(ada.page.get_by_text("Your changes were saved.")).to_be_visible()
        await expect(ada.page.get_by_role("heading", level=1)).to_have_text(
            "Reading Babbage and Lovelace"
        )
        await ada.page.get_by_role("link", name="The mill").click()
        await ada.page.get_by_role("link", name="Edit the lesson").click()
        await expect(ada.page.get_by_label("Lesson")).to_have_value("The mill computes.")
        await expect(ada.page.get_by_label("Keep it as a draft")).to_have_count(0)
        await accessible(ada.page)
        await ada.page.get_by_label("Lesson").fill("The mill computes; the store remembers.")
        await ada.page.get_by_role("button", name="Save the changes").click()
        await expect(ada.page.get_by_text("Your changes were saved.")).to_be_visible()
        await expect(ada.page.locator("#lesson")).to_contain_text("the store remembers")

        # Bruno sees the course's new title and the lesson's new words, and no editing.
        await page.goto(f"{base}/courses")
        await page.get_by_role("link", name="Reading Babbage and Lovelace").click()
        await expect(page.get_by_role("link", name="Edit the course")).to_have_count(0)
        await page.get_by_role("link", name="The mill").click()
        await expect(page.locator("#lesson")).to_contain_text(
            "The mill computes; the store remembers."
        )
        await expect(page.get_by_role("link", name="Edit the lesson")).to_have_count(0)
        answer = await page.goto(f"{course_url}/edit")
        assert answer is not None
        assert answer.status == 403
        assert csp == []
    finally:
        await bruno.page.context.close()
