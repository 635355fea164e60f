"""Accounts in the browser: sign up, the emailed link, sign in and out, with and without
JavaScript; CSRF, cookie flags and server-side logout; accessibility of every page."""

import re
import uuid
import zipfile

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.authz_world import community_body
from tests.platform import PASSWORD, Platform, text_of, to
from tests.platform import sign_up as sign_up_by_api
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible, address, emailed_link, sign_in, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


async def test_a_person_signs_up_confirms_signs_in_and_out(
    platform: Platform, context: BrowserContext
) -> None:
    page = await context.new_page()
    violations = watch_csp(page)
    email = await sign_up(page, platform, "Ada")
    await sign_in(page, platform, email)
    await expect(page.get_by_role("heading", name="Your communities")).to_be_visible()
    await accessible(page)
    # The page names its icon, so browsers do not ask for a /favicon.ico that is not there.
    icon = await page.locator("link[rel=icon]").get_attribute("href")
    assert icon
    served = await page.request.get(f"{platform.web_url}{icon}")
    assert served.ok
    assert served.headers["content-type"].startswith("image/svg+xml")

    # The browser's zone (Europe/Rome) was sent at sign-up.
    await page.goto(f"{platform.web_url}/profile")
    await expect(page.get_by_label("Time zone")).to_have_value("Europe/Rome")
    await accessible(page)
    await page.get_by_label("Headline").fill("Numbers and looms")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("Profile saved.")).to_be_visible()
    await expect(page.get_by_label("Headline")).to_have_value("Numbers and looms")

    await page.goto(f"{platform.web_url}/account")
    await expect(page.get_by_text("confirmed", exact=True)).to_be_visible()
    await accessible(page)
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert violations == []


async def test_the_same_flows_work_without_javascript(platform: Platform, browser: Browser) -> None:
    context = await browser.new_context(java_script_enabled=False, locale="it-IT")
    try:
        page = await context.new_page()
        email = address("Bruno")
        await page.goto(f"{platform.web_url}/signup")
        # Italian from Accept-Language.
        await expect(page.get_by_role("heading", name="Unisciti a Cerchia")).to_be_visible()
        await page.get_by_label("Il tuo nome").fill("Bruno")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Crea il mio account").click()
        await expect(page.get_by_role("heading", name="Controlla la tua email")).to_be_visible()
        link = await emailed_link(
            platform, email, "Conferma il tuo indirizzo email", "/verify-email"
        )
        await page.goto(link)
        await expect(page.get_by_role("heading", name="Indirizzo confermato")).to_be_visible()
        await page.goto(f"{platform.web_url}/login")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Accedi").click()
        await expect(page.get_by_role("button", name="Esci")).to_be_visible()
        # A wrong password is explained on the form, not a crash.
        await page.get_by_role("button", name="Esci").click()
        await page.goto(f"{platform.web_url}/login")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill("not the password at all")
        await page.get_by_role("button", name="Accedi").click()
        await expect(page.locator("#form-error")).to_be_visible()
    finally:
        await context.close()


async def test_forms_need_the_sessions_csrf_token_and_logout_ends_the_session(
    platform: Platform, context: BrowserContext
) -> None:
    page = await context.new_page()
    email = await sign_up(page, platform, "Carla")
    await sign_in(page, platform, email)
    cookies = {c["name"]: c for c in await context.cookies()}
    session = cookies["cerchia_session"]
    assert session["httpOnly"] is True
    assert session["secure"] is True
    assert session["sameSite"] == "Lax"

    async with httpx.AsyncClient(base_url=platform.web_url) as client:
        client.cookies.set("cerchia_session", session["value"])
        signed_in = await client.get("/account")
        assert signed_in.status_code == 200
        assert email in signed_in.text
        csp = signed_in.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert signed_in.headers["x-frame-options"] == "DENY"

        # A form posted without the token (another site's form) is refused, and changes nothing.
        forged = await client.post("/account/logout-all", data={})
        assert forged.status_code == 403
        assert "This form has expired" in forged.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', signed_in.text)
        assert token is not None
        cross_site = await client.post(
            "/logout",
            data={"csrf_token": token.group(1)},
            headers={"Sec-Fetch-Site": "cross-site"},
        )
        assert cross_site.status_code == 403
        assert (await client.get("/account")).status_code == 200

    # Signing out in the browser ends the session on the server: the old cookie is worthless.
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    async with httpx.AsyncClient(base_url=platform.web_url) as client:
        client.cookies.set("cerchia_session", session["value"])
        after = await client.get("/account")
        assert after.status_code == 303
        assert after.headers["location"].startswith("/login")


async def test_unknown_pages_and_bad_links_get_helpful_pages(platform: Platform) -> None:
    async with httpx.AsyncClient(base_url=platform.web_url) as client:
        missing = await client.get("/no/such/page")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("text/html")
        assert "Page not found" in missing.text
        bad = await client.get("/verify-email", params={"token": "not-a-real-token"})
        assert bad.status_code == 400
        assert "This link does not work" in bad.text
        reset = await client.get("/reset-password", params={"token": "x"})
        assert reset.status_code == 200
        assert "Choose a new password" in reset.text


async def test_signing_up_with_a_taken_address_looks_the_same_and_tells_its_owner(
    platform: Platform, context: BrowserContext
) -> None:
    page = await context.new_page()
    email = await sign_up(page, platform, "Dora")
    await context.clear_cookies()
    # Someone else tries the address: the same page as any sign-up, no hint of an account.
    await page.goto(f"{platform.web_url}/signup")
    await page.get_by_label("Your name").fill("Mallory")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("another password 123")
    await page.get_by_role("button", name="Create my account").click()
    await expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    await expect(page.locator("#form-error")).to_have_count(0)
    await accessible(page)
    # The owner learns of it by email, with the way back in.
    told = await platform.smtp.wait_for(
        to(email, "Someone tried to sign up with your address"), timeout=60
    )
    assert "If it was you, sign in, or reset your password" in text_of(told)
    assert f"{platform.web_url}/login" in text_of(told)


async def test_my_data_gives_an_archive_and_erasing_says_what_it_does_first(
    platform: Platform, context: BrowserContext
) -> None:
    async with platform.client() as client:
        ada = await sign_up_by_api(client, platform.smtp, "Ada")
        slug = f"c{uuid.uuid4().hex[:10]}"
        created = await client.post(
            "/api/v1/communities", json=community_body(slug, "public"), headers=ada.auth
        )
        assert created.status_code == 201, created.text
    page = await context.new_page()
    await sign_in(page, platform, ada.email)
    await page.goto(f"{platform.web_url}/account")
    await page.get_by_role(
        "link", name="Download a copy of your data, or erase your account"
    ).click()
    await expect(page.get_by_role("heading", name="My data", level=1)).to_be_visible()
    # What erasing does to the community Ada owns, before she is asked to confirm.
    owned = page.locator("#owned-communities")
    await expect(owned).to_contain_text(f"Circle {slug}")
    await expect(owned).to_contain_text("archived (read-only)")
    await accessible(page)
    await screenshot(page, "07-my-data")

    # The archive: the page follows the export (htmx asks again; without it, a link does).
    await page.get_by_role("button", name="Prepare my archive").click()
    await expect(page.get_by_role("heading", name="Your data archive")).to_be_visible()
    assert re.search(r"/account/data/exports/[^/]+$", page.url), page.url
    await accessible(page)
    download_link = page.get_by_role("button", name="Download the archive (zip)")
    await expect(download_link).to_be_visible(timeout=120_000)
    await expect(page.get_by_text("Your archive is ready.")).to_be_visible()
    await accessible(page)
    async with page.expect_download() as waiting:
        await download_link.click()
    archive = zipfile.ZipFile(str(await (await waiting.value).path()))
    names = [name.split("/", 1)[1] for name in archive.namelist() if "/" in name]
    folders = {name.split("/", 1)[0] for name in names if "/" in name}
    assert {"membership", "content", "events", "notifications"} <= folders, folders
    assert "README.md" in names

    # Erasing: a wrong password is explained; the right one erases and signs out.
    await page.goto(f"{platform.web_url}/account/data")
    await page.get_by_label("Your password").fill("not the password at all")
    await page.get_by_label("I have read what erasing my account does").check()
    await page.get_by_role("button", name="Erase my account").click()
    await expect(page.locator("#form-error")).to_be_visible()
    await accessible(page)
    await page.get_by_label("Your password").fill(PASSWORD)
    await page.get_by_label("I have read what erasing my account does").check()
    await page.get_by_role("button", name="Erase my account").click()
    await expect(page.get_by_text("Your account was erased.")).to_be_visible()
    await expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    async with platform.client() as client:
        again = await client.post(
            "/api/v1/auth/login", json={"email": ada.email, "password": PASSWORD}
        )
    assert again.status_code == 401, again.text
