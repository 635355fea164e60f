"""Fixtures of the web client's browser tests: Chromium, and pages on the platform's web client."""

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from tests.web.browser import chromium_path


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the session (root needs no sandbox flag with headless shell)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (its own cookies), with JavaScript."""
    created = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    try:
        yield created
    finally:
        await created.close()
