"""The web client's rules without servers: languages, times, sessions, redirects, catalogs."""

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from web.adapters.assets import Assets
from web.adapters.pages import Pages
from web.adapters.translations import load_translations
from web.domain.api import ApiResponse
from web.domain.locales import negotiate
from web.domain.preferences import CATEGORIES, community_choices, from_form
from web.domain.server_events import ServerEvent, parse_events
from web.domain.sessions import WebSession, session_key
from web.domain.times import local_time
from web.entrypoints.forms import safe_next
from web.service.unread import UnreadCounts
from web.service.visits import REFRESH_PATH, Lifetimes, Visit

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "web"


@pytest.mark.parametrize(
    ("profile", "header", "expected"),
    [
        ("it", "en-GB,en;q=0.9", "it"),
        (None, "it-IT,it;q=0.9,en;q=0.8", "it"),
        (None, "de-DE,de;q=0.9,it;q=0.5", "it"),
        (None, "fr-FR,en;q=0.3,it;q=0.2", "en"),
        (None, "de-DE", "en"),
        (None, None, "en"),
        ("xx", "it", "it"),
        (None, "it;q=bogus,en", "en"),
    ],
)
def test_the_language_comes_from_the_profile_else_accept_language(
    profile: str | None, header: str | None, expected: str
) -> None:
    assert negotiate(profile, header) == expected


def test_times_are_shown_in_the_readers_zone_with_the_zone_named() -> None:
    instant = "2026-03-12T17:30:00Z"
    rome = local_time(instant, zone="Europe/Rome", locale="it")
    assert rome == "12 mar 2026, 18:30:00 (Europe/Rome)"
    assert local_time(instant, zone="America/New_York", locale="en").endswith(
        "1:30:00\u202fPM (America/New_York)"
    )
    assert local_time(instant, zone="Not/AZone", locale="en").endswith("(UTC)")
    assert local_time("garbage", zone="UTC", locale="en") == ""


def test_a_session_accepts_only_its_own_csrf_token() -> None:
    session = WebSession(key=session_key("cookie"), csrf="s3cret", expires_at=datetime.now(UTC))
    assert session.csrf_ok("s3cret")
    assert not session.csrf_ok("s3cret ")
    assert not session.csrf_ok(None)
    signed_out = session.signed_out(datetime.now(UTC), timedelta(hours=1))
    assert not signed_out.csrf_ok("s3cret")
    assert session_key("cookie") != "cookie"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/communities/1", "/communities/1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("relative", "/"),
        (None, "/"),
    ],
)
def test_going_back_after_sign_in_stays_on_this_site(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def _messages() -> set[str | tuple[str, str]]:
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "_gettext": (2,), "ngettext": (1, 2)}
    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(
        str(PACKAGE), method_map, options_map=options, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def test_every_message_of_the_client_has_an_italian_translation() -> None:
    messages = _messages()
    assert len(messages) > 50
    italian = load_translations(PACKAGE / "locales")["it"]

    def untranslated(message: str | tuple[str, str]) -> str | None:
        if isinstance(message, tuple):  # both plural forms must be translated
            singular, plural = message
            same = italian.ngettext(singular, plural, 1) == singular
            return singular if same or italian.ngettext(singular, plural, 2) == plural else None
        return message if italian.gettext(message) == message else None

    missing = sorted(m for m in map(untranslated, messages) if m and re.search("[a-z]", m))
    # Words spelt the same in both languages are fine; anything else is a missing translation.
    same = {
        "Email",
        "Password",
        "Account",
        "Home",
        "Push",
        "email",
        "push",
        "In %(name)s",
        "Online",
        "no",
        "Markdown",
        "Webhook",
    }
    assert [m for m in missing if m not in same] == []


async def test_server_sent_events_are_read_as_the_stream_sends_them() -> None:
    async def lines() -> AsyncIterator[str]:
        for line in [
            ": ping",
            "event: notification",
            "id: 42",
            'data: {"a":',
            "data: 1}",
            "",
            "retry: 1000",
            "",
            "data: plain",
            "",
            "event: half",
        ]:
            yield line

    events = [e async for e in parse_events(lines())]
    assert events == [
        ServerEvent("notification", '{"a":\n1}', "42"),
        ServerEvent("message", "plain", None),
    ]


def test_the_preferences_form_sends_community_choices_only_where_they_differ() -> None:
    form: dict[str, list[str]] = {
        "discussions.in_app": ["on"],
        "discussions.email": ["digest"],
        "mentions.in_app": ["on"],
        "mentions.email": ["instant"],
        "mentions.push": ["on"],
        "c1.discussions.in_app": ["on"],
        "c1.discussions.email": ["digest"],
        "c1.mentions.in_app": ["on"],
        "c1.mentions.email": ["off"],
        "c1.mentions.push": ["on"],
        "c2.discussions.in_app": ["on"],
        "c2.discussions.email": ["digest"],
        "c2.mentions.in_app": ["on"],
        "c2.mentions.email": ["instant"],
        "c2.mentions.push": ["on"],
        "quiet.start": ["22:00"],
        "quiet.end": ["07:30"],
        "digest.frequency": ["weekly"],
        "digest.hour": ["99"],
        "digest.weekday": ["4"],
    }
    shown = {
        **{c: {"in_app": False, "email": "instant", "push": False} for c in CATEGORIES},
        "discussions": {"in_app": True, "email": "digest", "push": False},
        "mentions": {"in_app": True, "email": "instant", "push": True},
    }
    document = from_form(form, ["c1", "c2"], shown)
    assert document["categories"]["discussions"] == {
        "in_app": True,
        "email": "digest",
        "push": False,
    }
    assert document["categories"]["events"] == {"in_app": False, "email": "instant", "push": False}
    assert document["communities"] == {
        "c1": {"mentions": {"in_app": True, "email": "off", "push": True}}
    }
    assert document["quiet_hours"] == {"start": "22:00", "end": "07:30"}
    assert document["digest"] == {"frequency": "weekly", "hour": 8, "weekday": 4}
    assert from_form({"quiet.start": ["22:00"]}, [], {})["quiet_hours"] is None
    # A general choice changed in the form applies to a community left as it was shown.
    changed = {**form, "discussions.email": ["off"]}
    assert from_form(changed, ["c1", "c2"], shown)["communities"] == document["communities"]
    shown = community_choices(
        {"categories": {"mentions": {"email": "instant"}}, "communities": {"c1": {}}}, "c1"
    )
    assert shown["mentions"] == {"email": "instant"}


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("en", 1, "1 seat left of 3"),
        ("en", 2, "2 seats left of 3"),
        ("it", 1, "1 posto libero su 3"),
        ("it", 2, "2 posti liberi su 3"),
    ],
)
def test_plural_messages_take_their_numbers_and_variables(
    language: str, count: int, expected: str
) -> None:
    pages = Pages(Assets({}), load_translations(PACKAGE / "locales"))
    pages.use_language(language)
    template = pages.env.from_string(
        '{{ ngettext("%(num)s seat left of %(capacity)s", "%(num)s seats left of %(capacity)s",'
        " n, capacity=3) }}"
    )
    assert template.render(n=count) == expected


class _RotatingGateway:
    """A gateway whose access tokens expire and whose refresh tokens are single-use."""

    def __init__(self) -> None:
        self.refreshes = 0
        self.valid = {"access-1"}
        self.refresh_tokens = {"refresh-1"}

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        consistency: str | None = None,
        json: object = None,
        params: dict[str, object] | None = None,
        client_ip: str | None = None,
    ) -> ApiResponse:
        if path == REFRESH_PATH:
            assert isinstance(json, dict)
            used = json["refresh_token"]
            if used not in self.refresh_tokens:
                return ApiResponse(401, {"code": "refresh-token-reused"})
            self.refresh_tokens.discard(used)
            self.refreshes += 1
            access, refresh = f"access-{self.refreshes + 1}", f"refresh-{self.refreshes + 1}"
            self.valid, self.refresh_tokens = {access}, {refresh}
            return ApiResponse(200, {"access_token": access, "refresh_token": refresh})
        await asyncio.sleep(0.01)
        return ApiResponse(200 if token in self.valid else 401, {"path": path})


async def test_reads_made_together_refresh_an_expired_token_once() -> None:
    gateway = _RotatingGateway()
    gateway.valid = {"access-0"}  # the session's token has expired
    now = datetime.now(UTC)
    session = WebSession(
        key="k", csrf="c", expires_at=now + timedelta(hours=1), user_id="ada",
        access_token="access-1", refresh_token="refresh-1",
    )  # fmt: skip
    lifetimes = Lifetimes(signed_in=timedelta(hours=1), anonymous=timedelta(hours=1))
    visit = Visit(gateway, _NoSessions(), lifetimes, session, "cookie")

    answers = await asyncio.gather(*(visit.api("GET", f"/api/v1/things/{n}") for n in range(3)))

    assert [a.status for a in answers] == [200, 200, 200]
    assert gateway.refreshes == 1
    assert visit.signed_in
    assert visit.session.access_token == "access-2"


class _NoSessions:
    async def get(self, key: str, now: datetime) -> WebSession | None:
        return None

    async def save(self, session: WebSession) -> None:
        return None

    async def delete(self, key: str) -> None:
        return None


def test_an_unread_count_is_reused_while_fresh_and_forgotten_on_change() -> None:
    now = [100.0]
    counts = UnreadCounts(fresh_s=15, size=2, timer=lambda: now[0])
    assert counts.get("s1") is None
    counts.keep("s1", 3)
    now[0] += 14
    assert counts.get("s1") == 3
    now[0] += 2
    assert counts.get("s1") is None  # stale: the next page asks again
    counts.keep("s1", 4)
    counts.forget("s1")
    assert counts.get("s1") is None
    counts.forget("unknown")  # nothing to forget is fine
    for key in ("a", "b", "c"):
        counts.keep(key, 1)
    assert [counts.get(key) for key in ("a", "b", "c")].count(None) == 1  # bounded


def test_each_page_carries_the_csrf_token_masked_afresh_and_each_mask_proves_it() -> None:
    session = WebSession(key="k", csrf="s3cret-token", expires_at=datetime.now(UTC))
    first, second = session.masked_csrf(), session.masked_csrf()
    assert first != second  # no two pages hold the same bytes (BREACH)
    assert "s3cret-token" not in first
    assert session.csrf_ok(first)
    assert session.csrf_ok(second)
    assert session.csrf_ok("s3cret-token")
    other = WebSession(key="k2", csrf="another-token", expires_at=datetime.now(UTC))
    assert not other.csrf_ok(first)
    for bad in (None, "", "not base64 !", "YWJj", first[:-4]):
        assert not session.csrf_ok(bad)
