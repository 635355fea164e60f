"""The owner's settings in the browser: Ada changes her community's purpose, tags, admission and
screening question, revokes an invitation and archives the community; Bruno, without
JavaScript, reads each change on the community's page and cannot open the settings."""

import uuid

import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.platform import Platform
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible
from tests.web.test_web_discussions import found, person
from tests.web.test_web_gatherings import without_javascript
from tests.web.test_web_moderation import reload_until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]


async def test_the_owner_changes_the_community_revokes_an_invitation_and_archives_it(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno = await without_javascript(browser, platform, "Bruno")
    try:
        watch_csp(ada.page)
        community_id = await found(platform, ada, f"Settled {uuid.uuid4().hex[:6]}")
        community = f"{platform.web_url}/communities/{community_id}"

        await ada.page.goto(community)
        await ada.page.get_by_role("button", name="Settings").click()
        await expect(
            ada.page.get_by_role("heading", name="The community", exact=True)
        ).to_be_visible()
        await accessible(ada.page)
        await screenshot(ada.page, "15-settings")
        await ada.page.get_by_label("Purpose").fill(
            "Restore old looms together, one thread at a time."
        )
        await ada.page.get_by_label("Tags").fill("looms, history")
        await ada.page.get_by_label("Who can join").select_option("application")
        await ada.page.get_by_label("Screening questions").fill("Which loom would you restore?")
        await ada.page.get_by_role("button", name="Save the changes").click()
        await expect(ada.page.get_by_text("The community is updated.")).to_be_visible()
        await expect(ada.page.get_by_label("Tags")).to_have_value("looms, history")
        # Saving again with nothing changed sends nothing.
        await ada.page.get_by_role("button", name="Save the changes").click()
        await expect(ada.page.get_by_text("Nothing was changed.")).to_be_visible()

        # Bruno reads the new purpose and is asked the screening question to apply.
        await bruno.page.goto(community)
        await expect(bruno.page.locator("main")).to_contain_text("Restore old looms together")
        await expect(bruno.page.locator("main")).to_contain_text("looms · history")
        await expect(bruno.page.locator("main")).to_contain_text("Which loom would you restore?")
        refused = await bruno.page.goto(f"{community}/settings")
        assert refused is not None
        assert refused.status == 403

        # An invitation sent from the community's page is revoked from the settings.
        await ada.page.goto(community)
        await ada.page.get_by_label("Invite someone by email").fill("carla@example.org")
        await ada.page.get_by_role("button", name="Send the invitation").click()
        await expect(ada.page.get_by_text("Invitation sent to carla@example.org.")).to_be_visible()
        await ada.page.goto(f"{community}/settings")
        row = ada.page.locator(".invitation-row").filter(has_text="carla@example.org")
        await expect(row).to_contain_text("waiting")
        await row.get_by_role("button", name="Revoke the invitation for carla@example.org").click()
        await expect(ada.page.get_by_text("The invitation is revoked.")).to_be_visible()
        await expect(row).to_contain_text("revoked")

        # A webhook: its secret shown once, a delivery logged for the next change (the test
        # endpoint refuses connections, so it fails), sent again, a new secret, removed.
        await ada.page.get_by_role("link", name="Webhooks: tell your own services").click()
        await ada.page.get_by_label("Endpoint (https)").fill("http://127.0.0.1:9/looms")
        await ada.page.get_by_role("button", name="Add the webhook").click()
        first_secret = await ada.page.locator("#secret").input_value()
        assert len(first_secret) >= 16
        await accessible(ada.page)
        hook = ada.page.locator(".webhook-row").filter(has_text="127.0.0.1:9/looms")
        hook_url = platform.web_url + str(await hook.get_by_role("link").get_attribute("href"))
        await ada.page.goto(f"{community}/settings")
        await ada.page.get_by_label("Tags").fill("looms, history, restoration")
        await ada.page.get_by_role("button", name="Save the changes").click()
        await expect(ada.page.get_by_text("The community is updated.")).to_be_visible()
        await reload_until(ada.page, hook_url, ".delivery-row", attempts=60)
        await accessible(ada.page)
        await ada.page.locator(".delivery-row").first.get_by_role("button").click()
        await expect(ada.page.get_by_text("Sent again.")).to_be_visible()
        await ada.page.get_by_role("button", name="Replace the secret").click()
        second_secret = await ada.page.locator("#secret").input_value()
        assert second_secret not in ("", first_secret)
        await ada.page.get_by_role("button", name="Remove the webhook").click()
        await expect(ada.page.get_by_text("The webhook is removed.")).to_be_visible()
        await expect(ada.page.get_by_text("No webhooks yet.")).to_be_visible()
        await ada.page.goto(f"{community}/settings")

        # Archiving asks for the tick box; then the community is read-only for everyone.
        await ada.page.get_by_label("I understand: archive").check()
        await ada.page.get_by_role("button", name="Archive the community").click()
        await expect(ada.page.get_by_text("The community is archived")).to_be_visible()
        await bruno.page.goto(community)
        await expect(bruno.page.locator("hgroup")).to_contain_text("Archived")
    finally:
        await bruno.page.context.close()
