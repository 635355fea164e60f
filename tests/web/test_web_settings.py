"""The owner's settings in the browser: Ada changes her community's purpose, tags, admission and
screening question, revokes an invitation and archives the community; Bruno, without
JavaScript, reads each change on the community's page and cannot open the settings."""

import re
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


async def test_a_link_invitation_admits_whoever_opens_it_until_it_is_revoked(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno = await without_javascript(browser, platform, "Bruno")
    try:
        watch_csp(ada.page)
        name = f"Linked {uuid.uuid4().hex[:6]}"
        community_id = await found(platform, ada, name, visibility="private")
        community = f"{platform.web_url}/communities/{community_id}"
        async with platform.client() as client:
            closed = await client.patch(
                f"/api/v1/communities/{community_id}",
                json={"join_policy": "invite_only"},
                headers=ada.auth,
            )
            assert closed.status_code == 200, closed.text

        # Ada makes a link for two people; it is shown once, to copy (a button with JavaScript).
        await ada.page.goto(f"{community}/settings")
        await ada.page.get_by_label("How many people it admits").fill("2")
        await ada.page.get_by_label("It works for").select_option(label="3 days")
        await ada.page.get_by_role("button", name="Make a link").click()
        shared = ada.page.get_by_label("The new link, shown only now")
        link = await shared.input_value()
        assert link.startswith(f"{platform.web_url}/accept-invitation?token="), link
        await expect(shared).to_have_attribute("readonly", "")
        await expect(ada.page.get_by_role("button", name="Copy the link")).to_be_visible()
        row = ada.page.locator(".invitation-row").filter(has_text="anyone with the link")
        await expect(row).to_contain_text("0 people joined of 2")
        await expect(row).to_contain_text("waiting")
        await accessible(ada.page)

        # Bruno, without JavaScript, opens it: the community and its code, and he joins.
        await bruno.page.goto(link)
        await expect(
            bruno.page.get_by_role("heading", name=f"You are invited to {name}")
        ).to_be_visible()
        await expect(bruno.page.locator("main")).to_contain_text("whoever has it may join")
        await bruno.page.get_by_label(re.compile("I have read and accept")).check()
        await bruno.page.get_by_role("button", name="Accept the invitation").click()
        await expect(bruno.page).to_have_url(community)
        await expect(bruno.page.locator("#my-state")).to_have_text("You are a member.")
        # A second use by the same person is refused, and the page says why.
        await bruno.page.goto(link)
        await bruno.page.get_by_label(re.compile("I have read and accept")).check()
        await bruno.page.get_by_role("button", name="Accept the invitation").click()
        await expect(bruno.page).to_have_url(link)
        await expect(bruno.page.locator(".flash")).to_be_visible()

        # Ada sees Bruno among the members, and the link's use in the settings; she revokes it.
        await reload_until(ada.page, f"{community}/members", ".member-row:has-text('Bruno')")
        await ada.page.goto(f"{community}/settings")
        await expect(row).to_contain_text("1 person joined of 2")
        await row.get_by_role(
            "button", name="Revoke the invitation for anyone with the link"
        ).click()
        await expect(ada.page.get_by_text("The invitation is revoked.")).to_be_visible()
        await expect(row).to_contain_text("revoked")

        # Revoked, the link admits nobody: it says so.
        gone = await bruno.page.goto(link)
        assert gone is not None
        assert gone.status == 404
        await expect(
            bruno.page.get_by_role("heading", name="This invitation does not work")
        ).to_be_visible()
    finally:
        await bruno.page.context.close()
