"""Events in the browser: Ada (owner, host) schedules a weekly series through the form; Bruno
takes a seat and Chiara, without JavaScript, waits in line and is promoted when Bruno cannot go;
the calendar files parse; Ada changes the place for the following dates, cancels the last one,
checks people in at the door (QR link and by hand), and publishes the recap of a past event —
each step checked in what the others see."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.platform import PASSWORD, Platform
from tests.platform import sign_up as sign_up_by_api
from tests.web.browser import screenshot, watch_csp
from tests.web.people import accessible
from tests.web.test_web_discussions import Person, found, id_in, join, person

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

ROME = ZoneInfo("Europe/Rome")


async def without_javascript(browser: Browser, platform: Platform, name: str) -> Person:
    """Someone signed in through the login page of a browser without JavaScript (axe needs
    JavaScript: the pages they visit are checked with it by the others)."""
    context = await browser.new_context(
        java_script_enabled=False, locale="en-GB", timezone_id="Europe/Rome"
    )
    page = await context.new_page()
    async with platform.client() as client:
        member = await sign_up_by_api(client, platform.smtp, name)
    await page.goto(f"{platform.web_url}/login")
    await page.get_by_label("Email").fill(member.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return Person(page, member.email, member.id, member.access_token, "")


async def schedule(page: Page, community_id: str, platform: Platform, start: datetime) -> str:
    """Ada fills in the event form: a hybrid weekly series of three, two seats; the event id."""
    await page.goto(f"{platform.web_url}/communities/{community_id}")
    await page.get_by_role("button", name="Events").click()
    await expect(page.get_by_role("heading", name=re.compile("^Events in"))).to_be_visible()
    await expect(page.get_by_text("No upcoming events.")).to_be_visible()
    await accessible(page)
    await page.get_by_role("button", name="Schedule an event").click()
    await accessible(page)
    end = start + timedelta(minutes=90)
    await page.get_by_label("Title").fill("Loom night")
    await page.get_by_label("Description").fill("We weave *punched cards*.")
    await page.get_by_label("In person and online").check()
    await page.get_by_label("Place").fill("Sala Borsa")
    await page.get_by_label("Address", exact=True).fill("Piazza del Nettuno 3, Bologna")
    await page.get_by_label("Link to join online").fill("https://meet.example.org/loom-night")
    await page.get_by_label("Day").fill(start.date().isoformat())
    await page.get_by_label("Starts").fill(start.strftime("%H:%M"))
    await page.get_by_label("Ends").fill(end.strftime("%H:%M"))
    await page.get_by_label("Time zone of these times").fill("Europe/Rome")
    await page.get_by_label("Seats").fill("2")
    await page.get_by_label("Who can see it").select_option("public")
    await page.get_by_label("Repeats").select_option("weekly")
    await page.get_by_label("How many times").fill("3")
    await page.get_by_role("button", name="Schedule", exact=True).click()
    await expect(page.get_by_text("The series is scheduled: 3 dates.")).to_be_visible()
    await expect(page.get_by_role("heading", name="Loom night", level=1)).to_be_visible()
    return id_in(page.url, r"/events/([^/?#]+)$")


async def answer(page: Page, event_url: str, button: str) -> None:
    await page.goto(event_url)
    await page.get_by_role("button", name=button).click()


async def calendar_of(page: Page, url: str) -> icalendar.Calendar:
    """A calendar file fetched with the page's session (its cookies), parsed."""
    response = await page.request.get(url)
    assert response.status == 200, await response.text()
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(await response.body())


def vevents(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return [c for c in calendar.walk("VEVENT") if isinstance(c, icalendar.Event)]


async def test_a_series_is_scheduled_answered_waited_for_changed_and_checked_in(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    chiara = await without_javascript(browser, platform, "Chiara")
    try:
        bruno = await person(await bruno_context.new_page(), platform, "Bruno")
        for page in (ada.page, bruno.page, chiara.page):
            watch_csp(page)
        community_id = await found(
            platform, ada, f"Looms {uuid.uuid4().hex[:6]}", visibility="public"
        )
        await join(platform, bruno, community_id)
        await join(platform, chiara, community_id)

        # Within the hour, so that the door is open for check-in (an hour before the start).
        start = (datetime.now(ROME) + timedelta(minutes=30)).replace(second=0, microsecond=0)
        event_id = await schedule(ada.page, community_id, platform, start)
        event_url = f"{platform.web_url}/communities/{community_id}/events/{event_id}"
        await expect(ada.page.locator("#venue")).to_contain_text("Sala Borsa")
        await accessible(ada.page)

        # The listing shows the series once, with its two later dates.
        await bruno.page.goto(f"{platform.web_url}/communities/{community_id}/events")
        row = bruno.page.locator(".event-row").filter(has_text="Loom night")
        await expect(row).to_have_count(1)
        await expect(row).to_contain_text("2 more dates")
        await accessible(bruno.page)

        # Ada and Bruno take the two seats; the link to join is theirs only.
        await answer(ada.page, event_url, "I am going")
        await answer(bruno.page, event_url, "I am going")
        await ada.page.goto(platform.web_url)
        await expect(ada.page.locator("#upcoming")).to_contain_text("Loom night")
        await accessible(ada.page)
        await expect(bruno.page.locator("#my-answer")).to_have_text("You are going.")
        await expect(bruno.page.locator("#seats")).to_contain_text("2 going of 2 seats")
        await expect(bruno.page.locator("#online-link")).to_contain_text("meet.example.org")
        await accessible(bruno.page)
        await screenshot(bruno.page, "08-event")

        # Chiara, without JavaScript, finds the event full and joins the waitlist.
        await chiara.page.goto(event_url)
        await expect(chiara.page.locator("#online-link")).to_have_count(0)
        await chiara.page.get_by_role("button", name="Join the waitlist").click()
        await expect(chiara.page.get_by_text("The event is full")).to_be_visible()
        await expect(chiara.page.locator("#my-answer")).to_contain_text("number 1 on the waitlist")

        # Bruno cannot go after all: Chiara is promoted to his seat.
        await answer(bruno.page, event_url, "I can no longer go")
        await expect(bruno.page.locator("#my-answer")).to_have_text("You are not going.")
        await chiara.page.goto(event_url)
        await expect(chiara.page.locator("#my-answer")).to_contain_text("You are going.")
        await expect(chiara.page.locator("#online-link")).to_contain_text("meet.example.org")
        await chiara.page.goto(platform.web_url)
        await expect(chiara.page.locator("#upcoming")).to_contain_text("Loom night")
        await chiara.page.goto(event_url)

        # The event's calendar file, and the public community feed without any session.
        ics = vevents(await calendar_of(chiara.page, f"{event_url}/calendar.ics"))
        assert [str(e["SUMMARY"]) for e in ics] == ["Loom night"]
        assert ics[0].decoded("DTSTART") == start
        assert "Sala Borsa" in str(ics[0]["LOCATION"])
        feed = chiara.page.locator("#community-feed")
        async with httpx.AsyncClient() as anyone:
            public = await anyone.get(await feed.input_value())
        assert public.status_code == 200, public.text
        starts = sorted(
            e.decoded("DTSTART") for e in vevents(icalendar.Calendar.from_ical(public.content))
        )
        assert starts == [start + timedelta(weeks=n) for n in range(3)]

        # Ada moves this and the following dates elsewhere; Chiara reads the new place.
        await ada.page.goto(f"{event_url}/edit")
        await accessible(ada.page)
        await ada.page.get_by_label("Place").fill("Caffè Zamboni")
        await ada.page.get_by_label("Address", exact=True).fill("Via Zamboni 6, Bologna")
        await ada.page.get_by_label("This date and the following ones").check()
        await ada.page.get_by_role("button", name="Save the changes").click()
        await expect(ada.page.get_by_text("The event is changed.")).to_be_visible()
        await chiara.page.goto(event_url)
        await expect(chiara.page.locator("#venue")).to_contain_text("Caffè Zamboni")

        # Ada cancels the last date; Bruno sees it cancelled, with the reason.
        await bruno.page.goto(f"{platform.web_url}/communities/{community_id}/events")
        last = bruno.page.locator(".event-row details li").last
        await bruno.page.locator(".event-row summary").click()
        last_url = await last.get_by_role("link").get_attribute("href")
        assert last_url is not None
        await ada.page.goto(platform.web_url + last_url)
        await expect(ada.page.locator("#venue")).to_contain_text("Caffè Zamboni")
        await ada.page.locator("#host summary").click()
        await ada.page.get_by_label("Why (told to everyone who answered)").fill("The hall is shut.")
        await ada.page.locator("#cancel-form").get_by_role("button").click()
        await expect(ada.page.get_by_text("The event is cancelled.")).to_be_visible()
        await bruno.page.goto(platform.web_url + last_url)
        await expect(bruno.page.locator("#cancelled")).to_contain_text("The hall is shut.")
        await expect(bruno.page.locator("#rsvp")).to_have_count(0)

        # At the door: Chiara follows the QR code's link; Ada checks herself in by hand.
        await ada.page.goto(event_url)
        await ada.page.get_by_role("button", name="Attendees and check-in").click()
        await expect(ada.page.get_by_role("heading", name="At the door")).to_be_visible()
        await accessible(ada.page)
        await screenshot(ada.page, "09-event-door")
        code = (await ada.page.locator("#door-code").inner_text()).strip()
        qr = await ada.page.get_by_role("img", name=re.compile("QR code")).get_attribute("src")
        assert qr is not None
        assert qr.startswith("data:image/svg+xml")
        await chiara.page.goto(f"{event_url}/check-in?code={code}")
        await expect(chiara.page.get_by_label("The host's check-in code")).to_have_value(code)
        await chiara.page.get_by_role("button", name="Check in").click()
        await expect(chiara.page.get_by_text("You are checked in. Welcome!")).to_be_visible()
        await expect(chiara.page.locator("#my-answer")).to_contain_text("Checked in")
        await ada.page.reload()
        await expect(ada.page.locator("#attendees")).to_contain_text("(with the code)")
        await ada.page.get_by_role("button", name="Check in Ada").click()
        await expect(ada.page.get_by_text("Ada is checked in.")).to_be_visible()
        await expect(ada.page.locator("#checked-in-count")).to_contain_text("2 checked in")
    finally:
        await bruno_context.close()
        await chiara.page.context.close()


async def test_the_host_shares_hosting_and_the_series_repeats_another_way(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno_context = await browser.new_context(locale="en-GB", timezone_id="Europe/Rome")
    try:
        bruno = await person(await bruno_context.new_page(), platform, "Bruno")
        community_id = await found(
            platform, ada, f"Weavers {uuid.uuid4().hex[:6]}", visibility="public"
        )
        await join(platform, bruno, community_id)
        start = (datetime.now(ROME) + timedelta(days=2)).replace(
            hour=18, minute=30, second=0, microsecond=0
        )
        event_id = await schedule(ada.page, community_id, platform, start)
        event_url = f"{platform.web_url}/communities/{community_id}/events/{event_id}"
        await bruno.page.goto(event_url)
        await expect(bruno.page.locator("#host")).to_have_count(0)

        # Ada makes Bruno a host too: he now has the host's tools on the event's page.
        await ada.page.goto(f"{event_url}/edit")
        await ada.page.locator("#hosts").get_by_label("Bruno").check()
        await accessible(ada.page)
        await ada.page.get_by_role("button", name="Save the changes").click()
        await expect(ada.page.get_by_text("The event is changed.")).to_be_visible()
        await bruno.page.goto(event_url)
        await expect(bruno.page.locator("#host")).to_be_visible()
        # Nobody left to host is refused, with the reason, and nothing changes.
        await ada.page.goto(f"{event_url}/edit")
        for box in await ada.page.locator("#hosts input[type=checkbox]").all():
            await box.uncheck()
        await ada.page.get_by_role("button", name="Save the changes").click()
        await expect(ada.page.get_by_text("an event needs at least one host")).to_be_visible()

        # Every two weeks, twice: the second weekly date is dropped, and Bruno finds it cancelled.
        await bruno.page.goto(f"{platform.web_url}/communities/{community_id}/events")
        await bruno.page.locator(".event-row summary").click()
        later = bruno.page.locator(".event-row details li").first.get_by_role("link")
        second_url = await later.get_attribute("href")
        assert second_url is not None
        await ada.page.goto(f"{event_url}/edit")
        series = ada.page.locator("#series-rule")
        await series.get_by_label("Repeats").select_option("fortnightly")
        await series.get_by_label("How many times").fill("2")
        await series.get_by_label("Why (told to everyone whose date is cancelled)").fill(
            "We meet every other week."
        )
        await series.get_by_role("button", name="Repeat the new way").click()
        await expect(
            ada.page.get_by_text("The series repeats the new way: 0 dates added, 1 cancelled.")
        ).to_be_visible()
        await bruno.page.goto(platform.web_url + second_url)
        await expect(bruno.page.locator("#cancelled")).to_be_visible()
    finally:
        await bruno_context.close()


async def test_the_host_publishes_a_recap_and_members_read_it_and_its_discussion(
    browser: Browser, context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    bruno = await without_javascript(browser, platform, "Bruno")
    try:
        community_id = await found(platform, ada, f"Recaps {uuid.uuid4().hex[:6]}")
        await join(platform, bruno, community_id)
        # A short event about to start: a recap waits for its end.
        soon = datetime.now(UTC) + timedelta(seconds=5)
        async with platform.client() as client:
            made = await client.post(
                f"/api/v1/communities/{community_id}/events",
                headers=ada.auth,
                json={
                    "title": "Card punching workshop",
                    "format": "online",
                    "online_link": "https://meet.example.org/cards",
                    "starts_at": soon.isoformat(),
                    "ends_at": (soon + timedelta(seconds=5)).isoformat(),
                    "time_zone": "Europe/Rome",
                },
            )
            assert made.status_code == 201, made.text
        event_url = f"{platform.web_url}/communities/{community_id}/events/{made.json()['id']}"

        await ada.page.goto(event_url)
        await expect(ada.page.locator("#host")).to_contain_text("Change the event")
        await expect(ada.page.locator("#recap-form")).to_have_count(0)
        await ada.page.wait_for_timeout(
            max(0.0, (soon - datetime.now(UTC)).total_seconds() + 6) * 1000
        )
        await ada.page.reload()
        await expect(ada.page.locator("#host")).not_to_contain_text("Change the event")
        await ada.page.get_by_label("The recap: how it went, what comes next").fill(
            "Twelve cards punched. **Next time**: the mill."
        )
        await ada.page.get_by_label("Links, one per line: title | address").fill(
            "Photos | https://example.org/photos"
        )
        await ada.page.get_by_role("button", name="Publish the recap").click()
        await expect(ada.page.get_by_text("The recap is published")).to_be_visible()
        await accessible(ada.page)

        # Bruno (without JavaScript) reads the recap and, once content opened it, its thread.
        await bruno.page.goto(event_url)
        await expect(bruno.page.locator("#recap")).to_contain_text("Twelve cards punched.")
        await expect(bruno.page.get_by_role("link", name="Photos")).to_have_attribute(
            "href", "https://example.org/photos"
        )
        thread_link = bruno.page.get_by_role("link", name="Talk about it in the recap's discussion")
        for _ in range(30):
            if await thread_link.count():
                break
            await bruno.page.wait_for_timeout(1000)
            await bruno.page.reload()
        await thread_link.click()
        await expect(bruno.page.locator("main")).to_contain_text("Twelve cards punched.")
        await expect(bruno.page.locator("main")).to_contain_text("Card punching workshop")
    finally:
        await bruno.page.context.close()


async def test_event_pages_refuse_what_they_cannot_show(
    context: BrowserContext, platform: Platform
) -> None:
    ada = await person(await context.new_page(), platform, "Ada")
    community_id = await found(platform, ada, f"Refusals {uuid.uuid4().hex[:6]}")
    events = f"{platform.web_url}/communities/{community_id}/events"
    page = ada.page

    # A form that cannot make an event is shown again, as typed, with the reason.
    await page.goto(f"{events}/new")
    await page.get_by_label("Title").fill("Midnight mill")
    await page.get_by_label("Place").fill("The mill")
    await page.get_by_label("Day").fill("2031-05-06")
    await page.get_by_label("Starts").fill("21:00")
    await page.get_by_label("Ends").fill("21:00")
    await page.get_by_role("button", name="Schedule", exact=True).click()
    await expect(page.get_by_role("alert")).to_contain_text("the end must be after the start")
    await expect(page.get_by_label("Title")).to_have_value("Midnight mill")
    await accessible(page)

    # Unknown events and calendar files are a 404 page, not an error.
    missing = await page.goto(f"{events}/0195f0c4-7d1a-7b3e-9a51-2f4c1e8d9a10")
    assert missing is not None
    assert missing.status == 404
    calendar = await page.request.get(f"{events}/0195f0c4-7d1a-7b3e-9a51-2f4c1e8d9a10/calendar.ics")
    assert calendar.status == 404
    feed = await page.request.get(f"{platform.web_url}/calendars/feeds/short.ics")
    assert feed.status == 404

    # The personal feed: made on request, readable without a session, stopped on request.
    await page.goto(f"{platform.web_url}/calendar")
    await page.get_by_role("button", name="Make a new address").click()
    url = await page.locator("#feed-url").input_value()
    async with httpx.AsyncClient() as anyone:
        assert (await anyone.get(url)).status_code == 200
        await page.get_by_role("button", name="Stop my address working").click()
        await expect(page.get_by_text("Your calendar address no longer works.")).to_be_visible()
        assert (await anyone.get(url)).status_code == 404
