"""The web client as an installable app: its manifest and icons, the service worker on every
page, and the offline page shown when the network is gone."""

import struct

import pytest
from playwright.async_api import BrowserContext, expect

from tests.platform import Platform
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]


def png_size(body: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    return width, height


async def test_the_client_installs_as_an_app_and_shows_a_page_when_offline(
    context: BrowserContext, platform: Platform
) -> None:
    page = await context.new_page()
    watch_csp(page)
    await page.goto(platform.web_url)
    href = await page.locator("link[rel=manifest]").get_attribute("href")
    assert href == "/manifest.webmanifest"
    answer = await page.request.get(platform.web_url + href)
    assert answer.headers["content-type"] == "application/manifest+json"
    manifest = await answer.json()
    assert (manifest["name"], manifest["start_url"], manifest["display"]) == (
        "Cerchia",
        "/",
        "standalone",
    )
    sizes = set()
    for icon in manifest["icons"]:
        got = await page.request.get(platform.web_url + icon["src"])
        assert got.status == 200, icon
        assert got.headers["content-type"] == icon["type"]
        if icon["type"] == "image/png":
            width, height = png_size(await got.body())
            assert f"{width}x{height}" == icon["sizes"]
            sizes.add((icon["sizes"], icon.get("purpose", "any")))
    # What browsers ask of an installable app: 192 and 512 pixels, and a maskable icon.
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes

    # The service worker takes the page and keeps the offline page.
    active = await page.evaluate(
        "navigator.serviceWorker.ready.then((r) => r.active !== null && r.scope)"
    )
    assert active == f"{platform.web_url}/"
    await page.wait_for_function(
        "caches.keys().then(async (names) => names.length === 1"
        " && (await caches.open(names[0]).then((c) => c.match('/offline'))) !== undefined)"
    )
    await page.reload()  # now under the worker's control
    assert await page.evaluate("navigator.serviceWorker.controller !== null")

    await context.set_offline(True)
    try:
        await page.goto(f"{platform.web_url}/communities")
        await expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
        await expect(page.locator("link[rel=stylesheet]")).to_have_count(2)
        await accessible(page)
        await screenshot(page, "11-offline")
    finally:
        await context.set_offline(False)
    await page.get_by_role("button", name="Try again").click()
    await expect(
        page.get_by_role("heading", name="Small circles, real conversations")
    ).to_be_visible()
