"""The web client's rules without servers: languages, times, sessions, redirects, catalogs."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from web.adapters.translations import load_translations
from web.domain.locales import negotiate
from web.domain.preferences import CATEGORIES, community_choices, from_form
from web.domain.server_events import ServerEvent, parse_events
from web.domain.sessions import WebSession, session_key
from web.domain.times import local_time
from web.entrypoints.forms import safe_next

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


def test_plural_messages_format_the_templates_own_variables_too() -> None:
    from jinja2 import Environment

    from web.adapters.pages import _gettext, _ngettext

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    template = env.from_string(
        '{{ ngettext("%(num)s member of %(capacity)s seats", '
        '"%(num)s members of %(capacity)s seats", n, capacity=5) }}'
    )

    assert template.render(n=1) == "1 member of 5 seats"
    assert template.render(n=2) == "2 members of 5 seats"
