"""Discussions in the browser: Ada (owner) and Bruno (member) talk in threads — the mention
picker, threaded replies and their permalinks, reactions, pin and lock, editing with history, the
Markdown preview with and without JavaScript, deleting (after a confirmation) and moving a
thread — and the refusals a reader can meet."""

import re
import uuid
from dataclasses import dataclass
from urllib.parse import unquote

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.platform import PASSWORD, Platform
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible, signed_in_page

# The first test of a run also waits for the platform to start (1 to 4 minutes on a busy machine).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

CONSISTENCY = "Cerchia-Consistency"


@dataclass
class Person:
    """Someone signed in on a page, with their own API session for the set-up steps."""

    page: Page
    email: str
    user_id: str
    token: str
    handle: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def person(page: Page, platform: Platform, name: str) -> Person:
    """A person signed in on ``page`` (through the login page) with a handle for @mentions."""
    email = await signed_in_page(page, platform, name)
    handle = f"{name.lower()}_{uuid.uuid4().hex[:8]}"
    async with platform.client() as client:
        login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        body = login.json()
        who = Person(page, email, body["user_id"], body["access_token"], handle)
        named = await client.patch("/api/v1/profiles/me", json={"handle": handle}, headers=who.auth)
        assert named.status_code == 200, named.text
    return who


async def found(
    platform: Platform, owner: Person, name: str, *, visibility: str = "unlisted"
) -> str:
    """An open community (unlisted unless asked) founded by ``owner`` through the API; its id."""
    async with platform.client() as client:
        made = await client.post(
            "/api/v1/communities",
            headers=owner.auth,
            json={
                "name": name,
                "slug": f"c-{uuid.uuid4().hex[:10]}",
                "purpose": "Talk about looms, numbers and the engines that join them.",
                "audience": "Curious makers.",
                "language": "en",
                "visibility": visibility,
                "join_policy": "open",
                "capacity": 20,
                "code_of_conduct": "Be kind, be constructive.",
            },
        )
        assert made.status_code == 201, made.text
        community_id: str = made.json()["id"]
        await ready_to_post(client, owner, community_id, made.headers.get(CONSISTENCY))
    return community_id


async def join(platform: Platform, member: Person, community_id: str) -> None:
    """``member`` joins through the API, accepting the code of conduct."""
    async with platform.client() as client:
        joined = await client.post(
            f"/api/v1/communities/{community_id}/join",
            json={"code_of_conduct_version": 1},
            headers=member.auth,
        )
        assert joined.status_code == 200, joined.text
        await ready_to_post(client, member, community_id, joined.headers.get(CONSISTENCY))


async def ready_to_post(
    client: httpx.AsyncClient, who: Person, community_id: str, token: str | None
) -> None:
    """Read the threads and the events echoing the write's consistency token: content and events
    answer once they know of the write, so the web session (which never saw that API write) meets
    no stale projection."""
    headers = {**who.auth, **({CONSISTENCY: token} if token else {})}
    for listing in ("threads", "events"):
        listed = await client.get(f"/api/v1/communities/{community_id}/{listing}", headers=headers)
        assert listed.status_code == 200, listed.text


def threads_url(platform: Platform, community_id: str) -> str:
    return f"{platform.web_url}/communities/{community_id}/threads"


def id_in(url: str, pattern: str) -> str:
    found = re.search(pattern, url)
    assert found is not None, url
    return found.group(1)


async def open_thread(page: Page, title: str, body: str, category: str = "") -> str:
    """Open a thread from the threads page; the thread's id."""
    await page.get_by_label("Title").fill(title)
    if category:
        await page.get_by_label("Category").fill(category)
    await page.get_by_label("Message").fill(body)
    await page.get_by_role("button", name="Open the discussion").click()
    await expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    return id_in(page.url, r"/threads/([^/?#]+)$")


async def test_bruno_mentions_ada_and_they_talk_in_threaded_replies(
    platform: Platform, browser: Browser
) -> None:
    ada_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    bruno_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    try:
        ada = await person(await ada_context.new_page(), platform, "Ada")
        bruno = await person(await bruno_context.new_page(), platform, "Bruno")
        csp = watch_csp(bruno.page)
        community_id = await found(platform, ada, "Analytical Engines")
        await join(platform, bruno, community_id)
        threads = threads_url(platform, community_id)

        # Bruno opens a thread, mentioning Ada with the picker.
        page = bruno.page
        await page.goto(threads)
        await expect(
            page.get_by_role("heading", name="Discussions in Analytical Engines")
        ).to_be_visible()
        await accessible(page)
        await page.get_by_label("Title").fill("Punch cards for looms")
        await page.get_by_label("Category").fill("craft")
        await page.get_by_label("Message").fill("What do you think,")
        await page.get_by_label("Mention a member").fill(ada.handle)
        await page.get_by_role("button", name="Insert mention").click()
        await expect(page.get_by_label("Message")).to_have_value(
            f"What do you think, @{ada.handle} "
        )
        await page.get_by_role("button", name="Open the discussion").click()
        await expect(page.get_by_role("heading", name="Punch cards for looms")).to_be_visible()
        thread_id = id_in(page.url, r"/threads/([^/?#]+)$")
        thread = f"{threads}/{thread_id}"
        await expect(page.locator("#thread .post-body")).to_contain_text(f"@{ada.handle}")
        await accessible(page)

        # Ada sees it unread, filed under its category; opening it reads it.
        page = ada.page
        await page.goto(threads)
        row = page.get_by_role("link", name="Punch cards for looms")
        await expect(row).to_have_class(re.compile(r"\bunread\b"))
        await (
            page.get_by_role("navigation", name="Categories")
            .get_by_role("link", name=re.compile("^craft"))
            .click()
        )
        await expect(page.get_by_role("link", name="Punch cards for looms")).to_be_visible()
        await accessible(page)
        await page.get_by_role("link", name="Punch cards for looms").click()
        await expect(page.get_by_role("heading", name="Replies (0)")).to_be_visible()
        await accessible(page)
        await page.goto(threads)
        await expect(row).not_to_have_class(re.compile(r"\bunread\b"))
        await expect(page.get_by_text("replies: 0")).to_be_visible()

        # Ada replies, and reacts to the thread (a toggle).
        await page.goto(thread)
        await page.get_by_label("Your reply").fill("Start from Jacquard's cards.")
        await page.get_by_role("button", name="Post the reply").click()
        await expect(page.get_by_text("Start from Jacquard's cards.")).to_be_visible()
        ada_reply = id_in(page.url, r"#reply-(.+)$")
        # Replying follows the thread; following is a toggle.
        await page.get_by_role("button", name="Unfollow", exact=True).click()
        await expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
        await page.get_by_role("button", name="Follow", exact=True).click()
        await expect(page.get_by_role("button", name="Unfollow", exact=True)).to_be_visible()
        like = page.locator("#thread").get_by_role("button", name=re.compile("^Like"))
        await like.click()
        await expect(like).to_have_attribute("aria-pressed", "true")
        await expect(like).to_have_text(re.compile(r"Like 1$"))
        await like.click()
        await expect(like).to_have_attribute("aria-pressed", "false")
        await like.click()
        await expect(like).to_have_attribute("aria-pressed", "true")

        # Bruno answers Ada's reply: his reply shows under hers.
        page = bruno.page
        await page.goto(thread)
        await (
            page.locator(f"#reply-{ada_reply}")
            .get_by_role("link", name="Reply", exact=True)
            .click()
        )
        await expect(page.get_by_role("heading", name="Reply to Ada")).to_be_visible()
        await page.get_by_label("Your reply").fill("Cards it is; thank you.")
        await page.get_by_role("button", name="Post the reply").click()
        bruno_reply = id_in(page.url, r"#reply-(.+)$")
        await expect(page.locator(f"#reply-{ada_reply} #reply-{bruno_reply}")).to_contain_text(
            "Cards it is; thank you."
        )
        await expect(page.get_by_role("heading", name="Replies (2)")).to_be_visible()
        await (
            page.locator(f"#reply-{ada_reply} > .reactions")
            .get_by_role("button", name=re.compile("^Thanks"))
            .click()
        )
        await expect(
            page.locator(f"#reply-{ada_reply} > .reactions").get_by_role(
                "button", name=re.compile("^Thanks")
            )
        ).to_have_attribute("aria-pressed", "true")
        await expect(
            page.locator("#thread").get_by_role("button", name=re.compile("^Like"))
        ).to_have_text(re.compile(r"Like 1$"))
        await accessible(page)
        # Members see no moderators' tools.
        await expect(page.get_by_role("button", name="Pin", exact=True)).to_have_count(0)

        # The permalink of a reply opens the thread at that reply.
        permalink = bruno_context.pages[0]
        await permalink.goto(f"{thread}#reply-{bruno_reply}")
        await expect(permalink.locator(f"#reply-{bruno_reply}")).to_be_in_viewport()

        # Ada opens a newer thread, then pins the first: pinned comes first all the same.
        page = ada.page
        await page.goto(threads)
        await open_thread(page, "A newer question", "Anyone for a meet-up?")
        await page.goto(thread)
        await page.get_by_role("button", name="Pin", exact=True).click()
        await expect(page.get_by_role("button", name="Unpin", exact=True)).to_be_visible()
        await page.goto(threads)
        first = page.locator("ol.threads > li").first
        await expect(first).to_contain_text("Punch cards for looms")
        await expect(first).to_contain_text("Pinned")

        # Bruno has the reply form open when Ada locks: his reply is refused with the reason.
        await bruno.page.goto(thread)
        await bruno.page.get_by_label("Your reply").fill("One more thing")
        await page.goto(thread)
        await page.get_by_role("button", name="Lock", exact=True).click()
        await expect(page.get_by_role("heading", name="Replies are closed")).to_be_visible()
        await accessible(page)
        await bruno.page.get_by_role("button", name="Post the reply").click()
        await expect(bruno.page.get_by_role("heading", name="Replies are closed")).to_be_visible()
        await expect(bruno.page.locator("#form-error")).to_contain_text("locked")
        await expect(bruno.page.get_by_label("Your reply")).to_have_count(0)
        await accessible(bruno.page)
        assert csp == []
    finally:
        await ada_context.close()
        await bruno_context.close()


async def test_editing_keeps_a_history_and_previews_work_with_and_without_javascript(
    platform: Platform, browser: Browser, context: BrowserContext
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    community_id = await found(platform, ada, "Looms")
    threads = threads_url(platform, community_id)
    page = ada.page

    # With JavaScript the preview swaps in place (the page is not reloaded).
    await page.goto(threads)
    await page.evaluate("window.stillTheSamePage = true")
    await page.get_by_label("Title").fill("Notes on the engine")
    await page.get_by_label("Message").fill("It **weaves** <script>alert(1)</script> algebra")
    await page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.locator("#thread-body-preview")
    await expect(preview.locator("strong")).to_have_text("weaves")
    await expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text
    assert await preview.locator("script").count() == 0
    assert await page.evaluate("window.stillTheSamePage === true")
    await accessible(page)
    await page.get_by_role("button", name="Open the discussion").click()
    await expect(page.get_by_role("heading", name="Notes on the engine")).to_be_visible()
    thread = page.url

    # Editing the thread: the form is prefilled, and the earlier version is in the history.
    await page.locator("#thread").get_by_role("link", name="Edit", exact=True).click()
    await expect(page.get_by_label("Title")).to_have_value("Notes on the engine")
    await expect(page.get_by_label("Message")).to_have_value(
        "It **weaves** <script>alert(1)</script> algebra"
    )
    await accessible(page)
    await page.get_by_label("Message").fill("It weaves algebraic patterns.")
    await page.get_by_role("button", name="Save the changes").click()
    await expect(page.get_by_text("Your changes were saved.")).to_be_visible()
    await expect(page.locator("#thread .post-body")).to_have_text("It weaves algebraic patterns.")
    await page.get_by_role("link", name=re.compile("^edited")).click()
    await expect(page.get_by_role("heading", name="Edit history of the discussion")).to_be_visible()
    await expect(page.get_by_role("heading", name=re.compile("^Version 1"))).to_be_visible()
    await expect(page.locator("pre.source")).to_contain_text("It **weaves**")
    await accessible(page)

    # Editing my reply, with its own history.
    await page.goto(thread)
    await page.get_by_label("Your reply").fill("A first thought")
    await page.get_by_role("button", name="Post the reply").click()
    reply = id_in(page.url, r"#reply-(.+)$")
    await page.locator(f"#reply-{reply}").get_by_role("link", name="Edit", exact=True).click()
    await expect(page.get_by_role("heading", name="Edit your reply")).to_be_visible()
    await expect(page.get_by_label("Message")).to_have_value("A first thought")
    await page.get_by_label("Message").fill("A second thought")
    await page.get_by_role("button", name="Save the changes").click()
    await expect(page.locator(f"#reply-{reply} .post-body")).to_have_text("A second thought")
    await page.locator(f"#reply-{reply}").get_by_role("link", name=re.compile("^edited")).click()
    await expect(page.get_by_role("heading", name="Edit history of a reply")).to_be_visible()
    await expect(page.locator("pre.source")).to_have_text("A first thought")
    await accessible(page)

    # Without JavaScript: the picked member is added, and Preview re-renders the form with it.
    plain = await browser.new_context(
        java_script_enabled=False, locale="en-GB", timezone_id="Europe/Rome"
    )
    try:
        bare = await plain.new_page()
        # axe needs JavaScript: these pages are the ones checked above with it.
        await bare.goto(f"{platform.web_url}/login")
        await bare.get_by_label("Email").fill(ada.email)
        await bare.get_by_label("Password").fill(PASSWORD)
        await bare.get_by_role("button", name="Sign in").click()
        await expect(bare.get_by_role("button", name="Sign out")).to_be_visible()
        await bare.goto(threads)
        await expect(bare.get_by_role("button", name="Insert mention")).to_be_hidden()
        await bare.get_by_label("Title").fill("Without scripts")
        await bare.get_by_label("Message").fill("Plain *forms* work.")
        await bare.get_by_label("Mention a member").fill(ada.handle)
        await bare.get_by_role("button", name="Preview", exact=True).click()
        await expect(bare.locator("#thread-body-preview em")).to_have_text("forms")
        await expect(bare.locator("#thread-body-preview")).to_contain_text(f"@{ada.handle}")
        await expect(bare.get_by_label("Title")).to_have_value("Without scripts")
        await expect(bare.get_by_label("Message")).to_have_value(
            f"@{ada.handle} Plain *forms* work."
        )
        await bare.get_by_role("button", name="Open the discussion").click()
        await expect(bare.get_by_role("heading", name="Without scripts")).to_be_visible()
        await expect(bare.locator("#thread .post-body")).to_contain_text(
            f"@{ada.handle} Plain forms work."
        )
        # A reply's preview without JavaScript keeps the draft in the form.
        await bare.get_by_label("Your reply").fill("**Loud** reply")
        await bare.get_by_role("button", name="Preview", exact=True).click()
        await expect(bare.locator("#reply-body-preview strong")).to_have_text("Loud")
        await expect(bare.get_by_label("Your reply")).to_have_value("**Loud** reply")
        await bare.get_by_role("button", name="Post the reply").click()
        await expect(bare.locator(".reply .post-body strong")).to_have_text("Loud")
    finally:
        await plain.close()


async def test_outsiders_are_told_to_join_and_unknown_ids_are_not_found(
    platform: Platform, browser: Browser
) -> None:
    ada_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    carla_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    try:
        ada = await person(await ada_context.new_page(), platform, "Ada")
        community_id = await found(platform, ada, "Private Looms")
        threads = threads_url(platform, community_id)
        await ada.page.goto(threads)
        thread_id = await open_thread(ada.page, "Members only", "Hello, members.")

        carla = await carla_context.new_page()
        await signed_in_page(carla, platform, "Carla")
        for url in (threads, f"{threads}/{thread_id}"):
            answer = await carla.goto(url)
            assert answer is not None
            assert answer.status == 403
            await expect(
                carla.get_by_role("heading", name="You are not a member of Private Looms")
            ).to_be_visible()
            link = carla.get_by_role("button", name="Go to the community page")
            await expect(link).to_have_attribute("href", f"/communities/{community_id}")
            await accessible(carla)

        # Told to join, Carla joins and posts at once: her session echoes the platform's
        # consistency token, so content knows of her membership on her very next request
        # (no false "not a member" right after her own action).
        await carla.get_by_role("button", name="Go to the community page").click()
        await carla.get_by_label(re.compile("I have read and accept the code of conduct")).check()
        await carla.get_by_role("button", name="Join", exact=True).click()
        await expect(carla.locator("#my-state")).to_have_text("You are a member.")
        answer = await carla.goto(threads)
        assert answer is not None
        assert answer.status == 200
        await open_thread(carla, "Hello from Carla", "Just joined: hello, members.")
        await carla.goto(f"{threads}/{thread_id}")
        await carla.get_by_label("Your reply").fill("Glad to be here.")
        await carla.get_by_role("button", name="Post the reply").click()
        await expect(carla.locator(".reply").filter(has_text="Glad to be here.")).to_be_visible()

        for url in (
            f"{threads}/{uuid.uuid4()}",
            f"{platform.web_url}/communities/{uuid.uuid4()}/threads",
            f"{threads}/{thread_id}/replies/{uuid.uuid4()}/edit",
        ):
            answer = await ada.page.goto(url)
            assert answer is not None
            assert answer.status == 404, url
            await expect(ada.page.get_by_role("heading", name="Page not found")).to_be_visible()
        await accessible(ada.page)

        # Signed out, the thread's permalink asks to sign in first and comes back to it.
        anonymous = await browser.new_context()
        try:
            visitor = await anonymous.new_page()
            await visitor.goto(f"{threads}/{thread_id}")
            await expect(visitor.get_by_role("button", name="Sign in")).to_be_visible()
            assert f"next=/communities/{community_id}/threads/{thread_id}" in unquote(visitor.url)
        finally:
            await anonymous.close()
    finally:
        await ada_context.close()
        await carla_context.close()


async def test_a_long_thread_is_paged_and_every_permalink_finds_its_page(
    platform: Platform, browser: Browser
) -> None:
    context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    try:
        ada = await person(await context.new_page(), platform, "Ada")
        community_id = await found(platform, ada, "Long Looms")
        page = ada.page
        await page.goto(threads_url(platform, community_id))
        thread_id = await open_thread(page, "A long discussion", "Reply as much as you like.")
        thread = f"{threads_url(platform, community_id)}/{thread_id}"

        # 51 replies through the API, one after another (posting order is page order); the
        # last answers the first, so it is on page 2 and its parent on page 1.
        ids: list[str] = []
        async with platform.client() as client:
            for number in range(1, 52):
                parent = ids[0] if number == 51 else None
                posted = await client.post(
                    f"/api/v1/threads/{thread_id}/replies",
                    json={"body": f"Reply number {number}.", "parent_id": parent},
                    headers=ada.auth,
                )
                assert posted.status_code == 201, posted.text
                ids.append(posted.json()["id"])
            await ready_to_post(client, ada, community_id, posted.headers.get(CONSISTENCY))

        await page.goto(thread)
        replies = page.locator(".reply")
        await expect(replies).to_have_count(50)
        await expect(page.locator(f"#reply-{ids[0]}")).to_contain_text("Reply number 1.")
        await expect(page.locator(f"#reply-{ids[50]}")).to_have_count(0)
        assert await page.get_by_role("link", name="Earlier replies").count() == 0
        await accessible(page)

        # The next page: the 51st reply, which says what it answers.
        await (
            page.get_by_role("navigation", name="Pages of replies, below")
            .get_by_role("link", name="Later replies")
            .click()
        )
        assert "page=2" in page.url
        await expect(replies).to_have_count(1)
        last = page.locator(f"#reply-{ids[50]}")
        await expect(last).to_contain_text("Reply number 51.")
        await accessible(page)
        await last.get_by_role("link", name="in reply to an earlier reply").click()
        await expect(page.locator(f"#reply-{ids[0]}")).to_be_in_viewport()
        assert "page=" not in page.url
        assert page.url.endswith(f"#reply-{ids[0]}")

        # A reply's permalink opens the page it is on; a reply posted on page 2 lands there.
        await page.goto(f"{thread}/replies/{ids[50]}")
        assert page.url.endswith(f"?page=2#reply-{ids[50]}"), page.url
        await expect(last).to_be_in_viewport()
        await screenshot(page, "06-thread-page-2")
        await page.get_by_label("Your reply").fill("The last word, on the second page.")
        await page.get_by_role("button", name="Post the reply").click()
        mine = id_in(page.url, r"\?page=2#reply-(.+)$")
        await expect(page.locator(f"#reply-{mine}")).to_contain_text("The last word")
        await page.get_by_role("link", name="Earlier replies").first.click()
        await expect(replies).to_have_count(50)
        await expect(page.get_by_role("heading", name="Replies (52)")).to_be_visible()

        for url in (f"{thread}?page=3", f"{thread}?page=zero", f"{thread}/replies/{uuid.uuid4()}"):
            answer = await page.goto(url)
            assert answer is not None
            assert answer.status == 404, url
    finally:
        await context.close()


async def test_a_community_is_searched_from_its_discussions_and_results_lead_to_the_posts(
    platform: Platform, browser: Browser
) -> None:
    context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    try:
        ada = await person(await context.new_page(), platform, "Ada")
        community_id = await found(platform, ada, "Searching Looms")
        page = ada.page
        await page.goto(threads_url(platform, community_id))
        word = f"jacquard{uuid.uuid4().hex[:6]}"
        thread_id = await open_thread(page, f"Cards for the {word}", "Punched cards, anyone?")
        async with platform.client() as client:
            posted = await client.post(
                f"/api/v1/threads/{thread_id}/replies",
                json={"body": f"I keep my {word} cards in a box."},
                headers=ada.auth,
            )
            assert posted.status_code == 201, posted.text
            reply_id = posted.json()["id"]
            await ready_to_post(client, ada, community_id, posted.headers.get(CONSISTENCY))

        await page.goto(threads_url(platform, community_id))
        await page.get_by_label("Search this community").fill(word)
        await page.get_by_role("button", name="Search", exact=True).click()
        await expect(page.get_by_role("heading", name=f"2 results for “{word}”")).to_be_visible()
        await accessible(page)
        results = page.locator(".search-results")
        await expect(results.get_by_role("link", name=f"Cards for the {word}")).to_have_count(2)
        # The reply's result is its permalink, which leads to the page that shows it.
        await page.locator(f'.search-results a[href$="/replies/{reply_id}"]').click()
        assert page.url.endswith(f"#reply-{reply_id}"), page.url
        await expect(page.locator(f"#reply-{reply_id}")).to_contain_text("cards in a box")

        await page.goto(f"{platform.web_url}/communities/{community_id}/search?q=zzzqqqxx")
        await expect(page.get_by_text("Nothing matches.")).to_be_visible()
        await page.goto(f"{platform.web_url}/communities/{community_id}/search?q={'a' * 201}")
        await expect(page.locator("#form-error")).to_contain_text("at most 200 characters")
        await accessible(page)

        # Searching all of Ada's communities from the home page: each one's results, grouped.
        other_id = await found(platform, ada, "Searching Mills")
        async with platform.client() as client:
            opened = await client.post(
                f"/api/v1/communities/{other_id}/threads",
                json={"title": f"A mill for the {word}", "body": "Gears and cards."},
                headers=ada.auth,
            )
            assert opened.status_code == 201, opened.text
            await ready_to_post(client, ada, other_id, opened.headers.get(CONSISTENCY))
        await page.goto(platform.web_url)
        await page.get_by_label("Search your communities").fill(word)
        await page.get_by_role("button", name="Search", exact=True).click()
        groups = page.locator(".search-group")
        await expect(groups).to_have_count(2)
        await expect(groups.filter(has_text="Searching Mills")).to_contain_text(
            f"A mill for the {word}"
        )
        await expect(groups.filter(has_text="Searching Looms")).to_contain_text(
            f"Cards for the {word}"
        )
        await accessible(page)
        await page.goto(f"{platform.web_url}/search?q=zzzqqqxx")
        await expect(page.get_by_text("Nothing matches in your communities.")).to_be_visible()
    finally:
        await context.close()


async def test_posts_are_deleted_after_saying_what_it_does_and_a_moderator_moves_a_thread(
    platform: Platform, browser: Browser
) -> None:
    ada_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    bruno_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    try:
        ada = await person(await ada_context.new_page(), platform, "Ada")
        bruno = await person(await bruno_context.new_page(), platform, "Bruno")
        # Bruno goes on without JavaScript (signed in all the same): confirming and deleting
        # are plain forms. (axe needs JavaScript: Ada's pages are checked.)
        signed = await bruno_context.storage_state()
        await bruno_context.close()
        bruno_context = await browser.new_context(
            java_script_enabled=False,
            storage_state=signed,
            locale="en-GB",
            timezone_id="Europe/Rome",
        )
        bruno.page = await bruno_context.new_page()
        csp = watch_csp(ada.page)
        community_id = await found(platform, ada, "Tidy Looms")
        await join(platform, bruno, community_id)
        threads = threads_url(platform, community_id)
        await ada.page.goto(threads)
        cards = f"{threads}/{await open_thread(ada.page, 'Cards and looms', 'Hello.', 'craft')}"

        # Bruno deletes his own reply, after the page says what that does.
        page = bruno.page
        await page.goto(cards)
        await page.get_by_label("Your reply").fill("A reply I regret.")
        await page.get_by_role("button", name="Post the reply").click()
        reply = id_in(page.url, r"#reply-(.+)$")
        await expect(page.get_by_role("link", name="Delete this discussion")).to_have_count(0)
        await expect(
            page.get_by_role("link", name="Move this discussion to another category")
        ).to_have_count(0)
        await page.locator(f"#reply-{reply}").get_by_role("link", name="Delete this reply").click()
        await expect(page.get_by_role("heading", name="Delete this reply?")).to_be_visible()
        await expect(page.locator("#doomed")).to_contain_text("A reply I regret.")
        await expect(page.get_by_text("This cannot be undone.")).to_be_visible()
        await page.get_by_role("link", name="Keep it").click()
        await expect(page.locator(f"#reply-{reply} .post-body")).to_have_text("A reply I regret.")
        await page.goto(f"{cards}/replies/{reply}/delete")
        await page.get_by_role("button", name="Delete the reply").click()
        await expect(page.get_by_text("The reply was deleted.")).to_be_visible()
        await expect(page.locator(f"#reply-{reply}")).to_have_text("This reply was deleted.")

        # Ada no longer sees its words; the thread counts no reply.
        await ada.page.goto(cards)
        await expect(ada.page.get_by_role("heading", name="Replies (0)")).to_be_visible()
        await expect(ada.page.get_by_text("A reply I regret.")).to_have_count(0)
        await expect(ada.page.locator(f"#reply-{reply}")).to_have_text("This reply was deleted.")

        # Bruno may not delete Ada's thread; Ada, a moderator, deletes his.
        answer = await page.goto(f"{cards}/delete")
        assert answer is not None
        assert answer.status == 403
        await page.goto(threads)
        off_topic = f"{threads}/{await open_thread(page, 'Off topic', 'Anyone selling a loom?')}"
        await ada.page.goto(off_topic)
        await ada.page.get_by_role("link", name="Delete this discussion").click()
        await expect(
            ada.page.get_by_role("heading", name="Delete this discussion?")
        ).to_be_visible()
        await expect(
            ada.page.get_by_text("You are deleting it as a moderator: Bruno wrote it.")
        ).to_be_visible()
        await accessible(ada.page)
        await ada.page.get_by_role("button", name="Delete the discussion").click()
        await expect(ada.page.get_by_text("The discussion was deleted.")).to_be_visible()
        assert ada.page.url == threads
        await expect(ada.page.get_by_role("link", name="Off topic")).to_have_count(0)
        await page.goto(threads)
        await expect(page.get_by_role("link", name="Cards and looms")).to_be_visible()
        await expect(page.get_by_role("link", name="Off topic")).to_have_count(0)
        answer = await page.goto(off_topic)
        assert answer is not None
        assert answer.status == 404

        # Ada moves her thread to another category: Bruno finds it there, not under the old one.
        await ada.page.goto(cards)
        await ada.page.get_by_role("link", name="Move this discussion to another category").click()
        await expect(ada.page.get_by_role("heading", name="Move the discussion")).to_be_visible()
        await expect(ada.page.get_by_label("Category")).to_have_value("craft")
        await accessible(ada.page)
        await ada.page.get_by_label("Category").fill("Weaving")
        await ada.page.get_by_role("button", name="Move the discussion").click()
        await expect(ada.page.get_by_text("The discussion is now in weaving.")).to_be_visible()
        await expect(ada.page.locator("#thread header a.tag")).to_have_text("weaving")
        await page.goto(f"{threads}?category=weaving")
        await expect(page.get_by_role("link", name="Cards and looms")).to_be_visible()
        await page.goto(f"{threads}?category=craft")
        await expect(page.get_by_role("link", name="Cards and looms")).to_have_count(0)
        assert csp == []
    finally:
        await ada_context.close()
        await bruno_context.close()
