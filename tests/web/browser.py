"""A real browser for the web client's tests: Debian's Chromium driven by Playwright.

``playwright install`` cannot download browsers on the project's machines, so the tests launch
the system's Chromium (``apt-get install chromium``; ``CERCHIA_CHROMIUM`` names another).
Pages are checked with axe-core (npm, from the web client's own ``node_modules``).
"""

import json
import os
import shutil
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from cerchia_devstack.paths import repo_root

AXE = repo_root() / "services" / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = repo_root() / "docs" / "screenshots"


def chromium_path() -> str:
    """The Chromium executable to drive."""
    configured = os.environ.get("CERCHIA_CHROMIUM")
    if configured:
        return configured
    for candidate in ("/usr/lib/chromium/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise RuntimeError("no Chromium: apt-get install -y chromium (or set CERCHIA_CHROMIUM)")


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now.

    axe is evaluated through the DevTools protocol, which the page's CSP (no inline script)
    does not govern; the page itself keeps its policy.
    """
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate("async () => JSON.stringify(await axe.run(document))")
    violations: list[dict[str, Any]] = json.loads(result)["violations"]
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


def watch_csp(page: Page) -> list[str]:
    """Collects the page's Content-Security-Policy violations as they are reported."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable summary for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(node.get("target")) for node in v.get("nodes", [])[:3])
        for v in violations
    )


async def screenshot(page: Page, name: str) -> None:
    """With ``CERCHIA_SCREENSHOTS=1``, the page as shown, into ``docs/screenshots/<name>.png``
    (how the README's pictures are made: run the journey with it set)."""
    if os.environ.get("CERCHIA_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
