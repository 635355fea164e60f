"""Communities in the browser: discovering and searching, founding one, applying with the
screening questions and the moderator's decision, an application withdrawn, the waitlist (as the
moderators see it) and its seat offer, the code of conduct's re-acceptance gate, an emailed
invitation, and joining without JavaScript; axe on every page."""

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.platform import PASSWORD, Member, Platform, text_of, to
from tests.platform import sign_up as sign_up_by_api
from tests.web.browser import watch_csp
from tests.web.people import accessible, sign_in, signed_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

CODE = "Be kind, stay on topic, no recruiting spam."
ACCEPT_CODE = re.compile("I have read and accept the code of conduct")


@asynccontextmanager
async def person_context(browser: Browser, *, javascript: bool = True) -> AsyncIterator[Page]:
    """Another person's browser (its own cookies), closed after."""
    context = await browser.new_context(
        locale="en-GB", timezone_id="Europe/Rome", java_script_enabled=javascript
    )
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def person(platform: Platform, name: str) -> Member:
    """Someone with a verified account (through the API: fast), not yet signed in here."""
    async with platform.client() as client:
        return await sign_up_by_api(client, platform.smtp, name)


async def emailed(platform: Platform, email: str, subject: str, path: str) -> str:
    """The link to ``path`` (a regular expression) in the mail to ``email``."""
    mail = await platform.smtp.wait_for(to(email, subject), timeout=60)
    found = re.search(r"https?://[^\s\"<>]+?" + path, text_of(mail))
    assert found is not None, text_of(mail)
    assert found.group(0).startswith(platform.web_url), found.group(0)
    return found.group(0)


async def found_by_api(platform: Platform, owner: Member, **settings: Any) -> dict[str, Any]:
    """A community made through the API (where founding is not what is under test)."""
    tag = uuid.uuid4().hex[:8]
    body = {
        "name": f"Circle {tag}",
        "slug": f"circle-{tag}",
        "purpose": "Talk about weaving, looms and patterns with people who care.",
        "audience": "Weavers of every level.",
        "language": "en",
        "code_of_conduct": CODE,
        **settings,
    }
    async with platform.client() as client:
        made = await client.post("/api/v1/communities", json=body, headers=owner.auth)
    assert made.status_code == 201, made.text
    community: dict[str, Any] = made.json()
    return community


async def found_in_browser(
    page: Page, platform: Platform, name: str, *, capacity: int, policy: str, questions: str = ""
) -> str:
    """Found a community through the form; the id in the address it lands on."""
    await page.goto(f"{platform.web_url}/communities/new")
    await accessible(page)
    await page.get_by_label("Name", exact=True).fill(name)
    await page.get_by_label("Purpose").fill("Practise Italian conversation every week, kindly.")
    await page.get_by_label("Audience").fill("Learners from A2 upwards.")
    await page.get_by_label("Language").select_option("en")
    await page.get_by_label("Who can join").select_option(policy)
    await page.get_by_label("Capacity (seats)").fill(str(capacity))
    await page.get_by_label("Code of conduct").fill(CODE)
    if questions:
        await page.get_by_label("Screening questions").fill(questions)
    await page.get_by_role("button", name="Found the community").click()
    await expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    await expect(page.get_by_text("Your community is ready.")).to_be_visible()
    await expect(page.locator("#my-state")).to_have_text("You are the owner.")
    await accessible(page)
    found = re.search(r"/communities/([^/?#]+)$", page.url)
    assert found is not None, page.url
    return found.group(1)


async def test_ada_founds_bruno_finds_it_applies_and_ada_approves(
    platform: Platform, context: BrowserContext, browser: Browser
) -> None:
    ada_page = await context.new_page()
    violations = watch_csp(ada_page)
    ada = await signed_in_page(ada_page, platform, "Ada")
    word = f"loom{uuid.uuid4().hex[:6]}"
    name = f"Italian {word}"
    community_id = await found_in_browser(
        ada_page,
        platform,
        name,
        capacity=20,
        policy="application",
        questions="Why do you want to join?\nWhat is your level?",
    )

    bruno = await person(platform, "Bruno")
    async with person_context(browser) as page:
        # Signed out: discover, search, open the community; signing in comes back to it.
        await page.goto(f"{platform.web_url}/communities")
        await accessible(page)
        await page.get_by_label("Search communities").fill(word)
        await page.get_by_role("button", name="Search").click()
        card = page.locator("article", has=page.get_by_role("link", name=name))
        await expect(card).to_contain_text("Learners from A2 upwards.")
        await expect(card).to_contain_text("English")
        await expect(card).to_contain_text("19 seats left of 20")
        await expect(card).to_contain_text("By application")
        await accessible(page)
        await card.get_by_role("link", name=name).click()
        await expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        await expect(page.get_by_text(CODE)).to_be_visible()
        await accessible(page)
        await page.locator("#standing").get_by_role("button", name="Sign in").click()
        await page.get_by_label("Email").fill(bruno.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page).to_have_url(f"{platform.web_url}/communities/{community_id}")

        await page.get_by_label("Why do you want to join?").fill("To speak every week.")
        await page.get_by_label("What is your level?").fill("B1")
        await page.get_by_label(ACCEPT_CODE).check()
        await page.get_by_role("button", name="Apply").click()
        await expect(page.get_by_text("Your application was sent.")).to_be_visible()
        await expect(page.locator("#my-state")).to_have_text(
            "Your application is pending: the moderators will decide."
        )
        await accessible(page)

        # The moderators' email links to the application's page.
        link = await emailed(
            platform, ada, "New application to", f"/communities/{community_id}/applications/\\S+"
        )
        await ada_page.goto(f"{platform.web_url}/communities/{community_id}")
        await ada_page.get_by_role("link", name="Pending applications").click()
        await accessible(ada_page)
        await ada_page.get_by_role("link", name=re.compile("Application from")).click()
        await expect(ada_page).to_have_url(link)
        await expect(ada_page.get_by_text("To speak every week.")).to_be_visible()
        await expect(ada_page.get_by_text("B1", exact=True)).to_be_visible()
        await accessible(ada_page)
        await ada_page.get_by_role("button", name="Approve").click()
        await expect(ada_page.get_by_text("Application approved.")).to_be_visible()
        await expect(ada_page.get_by_text("No application is waiting.")).to_be_visible()

        await page.reload()
        await expect(page.locator("#my-state")).to_have_text("You are a member.")
        threads = page.get_by_role("button", name="Discussions")
        await expect(threads).to_have_attribute("href", f"/communities/{community_id}/threads")
        await accessible(page)
    assert violations == []


@pytest.mark.timeout(420)
async def test_an_applicant_withdraws_and_the_moderators_no_longer_see_the_application(
    platform: Platform, context: BrowserContext, browser: Browser
) -> None:
    ada, bruno = await person(platform, "Ada"), await person(platform, "Bruno")
    community = await found_by_api(platform, ada, join_policy="application", capacity=10)
    url = f"{platform.web_url}/communities/{community['id']}"
    ada_page = await context.new_page()
    await sign_in(ada_page, platform, ada.email)

    async with person_context(browser, javascript=False) as page:
        # Signed in by hand: axe (in sign_in) needs JavaScript.
        here = quote(f"/communities/{community['id']}", safe="")
        await page.goto(f"{platform.web_url}/login?next={here}")
        await page.get_by_label("Email").fill(bruno.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page).to_have_url(url)
        await page.get_by_label(ACCEPT_CODE).check()
        await page.get_by_role("button", name="Apply").click()
        await expect(page.get_by_text("Your application was sent.")).to_be_visible()
        await ada_page.goto(f"{url}/applications")
        await expect(
            ada_page.get_by_role("link", name=re.compile("Application from"))
        ).to_be_visible()

        # Bruno takes it back, confirming with the tick box (no JavaScript needed).
        await page.get_by_text("Withdraw my application", exact=True).click()
        await page.get_by_label(f"Yes, withdraw my application to {community['name']}").check()
        await page.get_by_role("button", name="Withdraw the application").click()
        await expect(page.get_by_text("Your application is withdrawn")).to_be_visible()
        await expect(page.locator("#my-state")).to_have_text("You are not a member.")
        await expect(page.get_by_role("button", name="Apply")).to_be_visible()

    # The moderators' queue no longer has it.
    await ada_page.goto(f"{url}/applications")
    await expect(ada_page.get_by_text("No application is waiting.")).to_be_visible()
    await accessible(ada_page)


async def test_a_full_community_waitlists_and_a_freed_seat_is_offered_and_taken(
    platform: Platform, context: BrowserContext, browser: Browser
) -> None:
    ada_page = await context.new_page()
    await signed_in_page(ada_page, platform, "Ada")
    name = f"Pair {uuid.uuid4().hex[:6]}"
    community_id = await found_in_browser(ada_page, platform, name, capacity=2, policy="open")
    url = f"{platform.web_url}/communities/{community_id}"

    async with person_context(browser) as bruno, person_context(browser) as carla:
        await signed_in_page(bruno, platform, "Bruno")
        await bruno.goto(url)
        await expect(bruno.locator("#my-state")).to_have_text("You are not a member.")
        await bruno.get_by_label(ACCEPT_CODE).check()
        await bruno.get_by_role("button", name="Join", exact=True).click()
        await expect(bruno.get_by_text("Welcome! You are a member.")).to_be_visible()
        await expect(bruno.locator("#my-state")).to_have_text("You are a member.")
        await accessible(bruno)

        # Carla lives in New York: her seat's deadline is shown in her zone.
        carla_member = await person(platform, "Carla")
        async with platform.client() as client:
            zoned = await client.patch(
                "/api/v1/profiles/me",
                json={"timezone": "America/New_York"},
                headers=carla_member.auth,
            )
            assert zoned.status_code == 200, zoned.text
        await sign_in(carla, platform, carla_member.email)
        carla_email = carla_member.email
        await carla.goto(url)
        await expect(carla.locator("#seats")).to_contain_text("2 members of 2 seats")
        await carla.get_by_label(ACCEPT_CODE).check()
        await carla.get_by_role("button", name="Join the waitlist").click()
        await expect(carla.locator("#my-state")).to_have_text(
            "You are on the waitlist: number 1 in line."
        )
        await accessible(carla)
        await carla.goto(f"{platform.web_url}/communities")
        await carla.get_by_label("Search communities").fill(name)
        await carla.get_by_role("button", name="Search").click()
        card = carla.locator("article", has=carla.get_by_role("link", name=name))
        await expect(card).to_contain_text("Full: 1 waiting")
        # Ada, the owner, sees the line: one person waiting.
        await ada_page.goto(f"{url}/waitlist")
        line = ada_page.locator(".waitlist-row")
        await expect(line).to_have_count(1)
        await expect(line).to_contain_text("waiting")
        await accessible(ada_page)

        # Bruno leaves: the seat is offered to Carla, by email, with its deadline.
        await bruno.get_by_role("button", name="Leave the community").click()
        await expect(bruno.get_by_text("You left.")).to_be_visible()
        await expect(bruno.locator("#my-state")).to_have_text("You are not a member.")
        link = await emailed(
            platform,
            carla_email,
            "A seat is free in",
            f"/communities/{community_id}/seat-offers/\\S+",
        )
        # The line shows the seat held for Carla.
        await ada_page.goto(f"{url}/waitlist")
        await expect(line).to_contain_text("a seat is held until")
        await carla.goto(link)
        await expect(carla.get_by_role("heading", name="A seat for you")).to_be_visible()
        await expect(carla.locator("#deadline")).to_contain_text("(America/New_York)")
        await accessible(carla)
        await carla.get_by_label(ACCEPT_CODE).check()
        await carla.get_by_role("button", name="Take the seat").click()
        await expect(carla).to_have_url(url)
        await expect(carla.locator("#my-state")).to_have_text("You are a member.")
        await accessible(carla)
        await ada_page.goto(f"{url}/waitlist")
        await expect(ada_page.get_by_text("Nobody is waiting.")).to_be_visible()
        # The offer is spent: its link now says so.
        await carla.goto(link)
        await expect(
            carla.get_by_role("heading", name="This offer is no longer open")
        ).to_be_visible()
        await accessible(carla)


async def test_members_accept_a_new_code_of_conduct_before_taking_part_again(
    platform: Platform, context: BrowserContext, browser: Browser
) -> None:
    ada_page = await context.new_page()
    await signed_in_page(ada_page, platform, "Ada")
    name = f"Rules {uuid.uuid4().hex[:6]}"
    community_id = await found_in_browser(ada_page, platform, name, capacity=10, policy="open")
    url = f"{platform.web_url}/communities/{community_id}"

    async with person_context(browser) as bruno:
        bruno_email = await signed_in_page(bruno, platform, "Bruno")
        await bruno.goto(url)
        await bruno.get_by_label(ACCEPT_CODE).check()
        await bruno.get_by_role("button", name="Join", exact=True).click()
        await expect(bruno.locator("#my-state")).to_have_text("You are a member.")
        await expect(bruno.get_by_role("heading", name="A new code of conduct")).to_have_count(0)

        new_code = "Be kind, stay on topic, no spam, and no politics at all."
        await ada_page.goto(url)
        await ada_page.get_by_text("Publish a new version").click()
        await ada_page.get_by_label("New code of conduct").fill(new_code)
        await ada_page.get_by_role("button", name="Publish", exact=True).click()
        await expect(ada_page.get_by_text("The new code of conduct is published")).to_be_visible()
        await expect(ada_page.get_by_text("Version 2", exact=True)).to_be_visible()
        await accessible(ada_page)

        # Bruno's community page now stops him at the gate.
        await bruno.reload()
        gate = bruno.locator(".gate")
        await expect(gate.get_by_role("heading", name="A new code of conduct")).to_be_visible()
        await expect(gate).to_contain_text(new_code)
        await accessible(bruno)
        # The emailed link opens the code itself; accepting it lifts the gate.
        link = await emailed(
            platform,
            bruno_email,
            "New code of conduct in",
            f"/communities/{community_id}/code-of-conduct",
        )
        await bruno.goto(link)
        await expect(bruno.get_by_role("heading", name="Code of conduct")).to_be_visible()
        await expect(bruno.get_by_text(new_code)).to_be_visible()
        await accessible(bruno)
        await bruno.get_by_role("button", name="I accept the new code of conduct").click()
        await expect(
            bruno.get_by_text("Thank you: the code of conduct is accepted.")
        ).to_be_visible()
        await expect(bruno.locator(".gate")).to_have_count(0)
        await bruno.goto(link)
        await expect(bruno.locator("#code-state")).to_contain_text("You accepted this version")
        await accessible(bruno)


async def test_an_emailed_invitation_is_accepted_after_signing_in(
    platform: Platform, context: BrowserContext
) -> None:
    ada, bruno = await person(platform, "Ada"), await person(platform, "Bruno")
    community = await found_by_api(platform, ada, visibility="private", join_policy="invite_only")
    page = await context.new_page()
    await sign_in(page, platform, ada.email)
    await page.goto(f"{platform.web_url}/communities/{community['id']}")
    await page.get_by_label("Invite someone by email").fill(bruno.email)
    await page.get_by_role("button", name="Send the invitation").click()
    await expect(page.get_by_text(f"Invitation sent to {bruno.email}.")).to_be_visible()
    await accessible(page)
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    link = await emailed(
        platform, bruno.email, "You are invited to join", r"/accept-invitation\?token=\S+"
    )

    # A private community is not there for outsiders; the invitation shows it all the same.
    missing = await page.goto(f"{platform.web_url}/communities/{community['id']}")
    assert missing is not None
    assert missing.status == 404
    await page.goto(link)
    await expect(
        page.get_by_role("heading", name=f"You are invited to {community['name']}")
    ).to_be_visible()
    await expect(page.get_by_text(CODE)).to_be_visible()
    await accessible(page)
    await page.locator("main").get_by_role("button", name="Sign in").click()
    await page.get_by_label("Email").fill(bruno.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(link)
    await page.get_by_label(ACCEPT_CODE).check()
    await page.get_by_role("button", name="Accept the invitation").click()
    await expect(page).to_have_url(f"{platform.web_url}/communities/{community['id']}")
    await expect(page.locator("#my-state")).to_have_text("You are a member.")
    await accessible(page)
    # Used once, the link says it no longer works.
    used = await page.goto(link)
    assert used is not None
    assert used.status == 404
    await expect(page.get_by_role("heading", name="This invitation does not work")).to_be_visible()
    await accessible(page)


async def test_joining_and_applying_work_without_javascript(
    platform: Platform, browser: Browser
) -> None:
    ada = await person(platform, "Ada")
    open_one = await found_by_api(platform, ada, join_policy="open")
    by_application = await found_by_api(
        platform,
        ada,
        join_policy="application",
        screening_questions=[{"id": "why", "prompt": "Why join?", "required": True}],
    )
    bruno = await person(platform, "Bruno")
    async with person_context(browser, javascript=False) as page:
        # axe needs JavaScript: this context signs in by hand, and pages are checked elsewhere.
        await page.goto(f"{platform.web_url}/login")
        await page.get_by_label("Email").fill(bruno.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        await page.goto(f"{platform.web_url}/communities/{open_one['id']}")
        # The box must be ticked: without it the browser would not even send the form.
        await page.get_by_label(ACCEPT_CODE).check()
        await page.get_by_role("button", name="Join", exact=True).click()
        await expect(page.locator("#my-state")).to_have_text("You are a member.")

        await page.goto(f"{platform.web_url}/communities/{by_application['id']}")
        await page.get_by_label("Why join?").fill("I weave on Sundays.")
        await page.get_by_label(ACCEPT_CODE).check()
        await page.get_by_role("button", name="Apply").click()
        await expect(page.locator("#my-state")).to_have_text(
            "Your application is pending: the moderators will decide."
        )
        await page.goto(f"{platform.web_url}/communities/new")
        await expect(page.get_by_role("heading", name="Found a community")).to_be_visible()

    async with httpx.AsyncClient(base_url=platform.web_url) as client:
        unknown = await client.get("/communities/no-such-community")
        assert unknown.status_code == 404
        assert "Page not found" in unknown.text
        listed = await client.get("/communities", params={"q": open_one["name"]})
        assert listed.status_code == 200
        assert open_one["name"] in listed.text
        # Signed out, the pages that act for a person send them to sign in first.
        new = await client.get("/communities/new")
        assert new.status_code == 303
        assert new.headers["location"].startswith("/login?next=")
