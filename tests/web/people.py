"""People using the web client in a browser: signing up through the pages, signing in."""

import re
import uuid

from playwright.async_api import Page, expect

from tests.platform import PASSWORD, Platform, text_of, to
from tests.platform import sign_up as sign_up_by_api
from tests.web.browser import describe, serious_violations


def address(name: str) -> str:
    return f"{name.lower()}-{uuid.uuid4().hex[:10]}@example.org"


async def accessible(page: Page) -> None:
    violations = await serious_violations(page)
    assert violations == [], f"{page.url}:\n{describe(violations)}"


async def emailed_link(platform: Platform, email: str, subject: str, path: str) -> str:
    mail = await platform.smtp.wait_for(to(email, subject), timeout=60)
    found = re.search(r"https?://\S+" + re.escape(path) + r"\?token=[^\s\"<>]+", text_of(mail))
    assert found is not None, text_of(mail)
    return found.group(0)


async def sign_up(page: Page, platform: Platform, name: str) -> str:
    """Sign up through the form and confirm the address from the email; the address."""
    email = address(name)
    await page.goto(f"{platform.web_url}/signup")
    await accessible(page)
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create my account").click()
    await expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    await accessible(page)
    link = await emailed_link(platform, email, "Confirm your email", "/verify-email")
    assert link.startswith(platform.web_url), link
    await page.goto(link)
    await expect(page.get_by_role("heading", name="Your address is confirmed")).to_be_visible()
    await accessible(page)
    return email


async def sign_in(page: Page, platform: Platform, email: str) -> None:
    await page.goto(f"{platform.web_url}/login")
    await accessible(page)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def signed_in_page(page: Page, platform: Platform, name: str) -> str:
    """A person signed up through the API (fast) and signed in through the login page; their
    address. Use ``sign_up`` where the sign-up pages themselves are under test."""
    async with platform.client() as client:
        member = await sign_up_by_api(client, platform.smtp, name)
    await sign_in(page, platform, member.email)
    return member.email
