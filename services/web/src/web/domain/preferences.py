"""Notification preferences as a form shows them: a category by channel matrix, per community
overrides, quiet hours and the digest schedule."""

from collections.abc import Mapping, Sequence
from typing import Any

#: Categories a person chooses channels for (account messages — verification, password reset —
#: always go out by email and are not listed).
CATEGORIES = (
    "membership",
    "discussions",
    "mentions",
    "direct_messages",
    "events",
    "moderation",
)
EMAIL_MODES = ("instant", "digest", "off")
FREQUENCIES = ("daily", "weekly")

Choice = dict[str, Any]


def _choice(form: Mapping[str, Sequence[str]], prefix: str) -> Choice:
    def first(name: str) -> str | None:
        values = form.get(f"{prefix}.{name}") or []
        return values[-1] if values else None

    email = first("email")
    return {
        "in_app": first("in_app") == "on",
        "email": email if email in EMAIL_MODES else "instant",
        "push": first("push") == "on",
    }


def from_form(
    form: Mapping[str, Sequence[str]],
    communities: Sequence[str],
    shown: Mapping[str, Any],
) -> dict[str, Any]:
    """The API's preferences document from the posted matrix.

    ``shown`` is the general matrix the form displayed (the stored one). A community's choice
    is kept as an override only where it differs from that: a community left as it was follows
    the general choices, including the ones changed in this very form.
    """
    general = {category: _choice(form, category) for category in CATEGORIES}
    before = {category: dict(shown.get(category) or {}) for category in CATEGORIES}
    overrides: dict[str, dict[str, Choice]] = {}
    for community in communities:
        differing = {
            category: choice
            for category in CATEGORIES
            if (choice := _choice(form, f"{community}.{category}")) != before[category]
        }
        if differing:
            overrides[community] = differing
    start = (form.get("quiet.start") or [""])[-1]
    end = (form.get("quiet.end") or [""])[-1]
    frequency = (form.get("digest.frequency") or ["daily"])[-1]
    return {
        "categories": general,
        "communities": overrides,
        "quiet_hours": {"start": start, "end": end} if start and end else None,
        "digest": {
            "frequency": frequency if frequency in FREQUENCIES else "daily",
            "hour": _number((form.get("digest.hour") or ["8"])[-1], 8, 0, 23),
            "weekday": _number((form.get("digest.weekday") or ["0"])[-1], 0, 0, 6),
        },
    }


def _number(value: str, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        return default
    return number if low <= number <= high else default


def community_choices(preferences: Mapping[str, Any], community: str) -> dict[str, Choice]:
    """What a community's matrix shows: its overrides over the general choices."""
    general: dict[str, Choice] = dict(preferences.get("categories") or {})
    own: dict[str, Choice] = dict((preferences.get("communities") or {}).get(community) or {})
    return {category: own.get(category) or general.get(category) or {} for category in CATEGORIES}
