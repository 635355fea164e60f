"""The member profile: who I am, what I offer and look for, and who may see it."""

import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal
from urllib.parse import urlsplit

from membership.domain.account_errors import InvalidProfile

ProfileVisibility = Literal["communities", "platform"]
#: The zone of an account that named none (sign-up takes the browser's).
DEFAULT_TIMEZONE = "UTC"

MAX_TAGS = 20
MAX_NETWORKING = 10
MAX_LINKS = 5

# Letters first so a handle never looks like an id or a number; 3-30 characters fit a mention.
_HANDLE = re.compile(r"[a-z][a-z0-9_]{2,29}")
RESERVED_HANDLES = frozenset(
    {
        "admin", "administrator", "api", "cerchia", "help", "me", "mod", "moderator",
        "moderators", "owner", "root", "security", "staff", "support", "system", "team",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Link:
    """A link on a profile: personal site, portfolio, social account."""

    label: str
    url: str


@dataclass(frozen=True)
class Profile:
    """What a member tells others about themselves (name and language live on the account)."""

    handle: str | None = None
    headline: str | None = None
    bio: str | None = None
    skills: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    city: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    asks: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    visibility: ProfileVisibility = "communities"


PROFILE_FIELDS = frozenset(f.name for f in fields(Profile))


def normalize_handle(raw: str) -> str:
    """The canonical handle (lower case, no ``@``); raise InvalidProfile if it breaks the rules."""
    handle = raw.strip().removeprefix("@").lower()
    if not _HANDLE.fullmatch(handle):
        raise InvalidProfile(
            {"handle": "3-30 characters: a letter first, then letters, digits or underscores"}
        )
    if handle in RESERVED_HANDLES:
        raise InvalidProfile({"handle": f"@{handle} is reserved"})
    return handle


def normalize_phrases(values: Iterable[str], *, limit: int, field: str) -> tuple[str, ...]:
    """Trimmed, whitespace-collapsed, without blanks or case-insensitive repeats; at most
    ``limit``."""
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        phrase = " ".join(value.split())
        if phrase and phrase.casefold() not in seen:
            seen.add(phrase.casefold())
            result.append(phrase)
    if len(result) > limit:
        raise InvalidProfile({field: f"at most {limit} distinct entries"})
    return tuple(result)


def check_timezone(name: str) -> str:
    """An IANA time zone name, as given; raise InvalidProfile for anything else."""
    if name not in zoneinfo.available_timezones():
        raise InvalidProfile({"timezone": f"{name!r} is not an IANA time zone"})
    return name


def check_link(link: Link) -> Link:
    """A web link; other schemes (``javascript:``, ``data:``) could run in a reader's browser."""
    parts = urlsplit(link.url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InvalidProfile({"links": f"{link.url!r} is not an http(s) address"})
    return Link(label=" ".join(link.label.split()), url=link.url)


def edited(profile: Profile, changes: Mapping[str, Any]) -> Profile:
    """``profile`` with ``changes`` applied after checking and normalising each field."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise InvalidProfile(dict.fromkeys(sorted(unknown), "not a profile field"))
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in changes.items():
        try:
            values[name] = _normalized(name, value)
        except InvalidProfile as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidProfile(errors)
    return replace(profile, **values)


def _normalized(name: str, value: Any) -> Any:  # noqa: PLR0911 - one rule per field
    if name == "handle":
        return None if value is None else normalize_handle(value)
    if name in {"skills", "interests"}:
        return normalize_phrases(value, limit=MAX_TAGS, field=name)
    if name in {"asks", "offers"}:
        return normalize_phrases(value, limit=MAX_NETWORKING, field=name)
    if name == "links":
        links = tuple(check_link(link) for link in value)
        if len({link.url for link in links}) != len(links):
            raise InvalidProfile({"links": "the same address twice"})
        if len(links) > MAX_LINKS:
            raise InvalidProfile({"links": f"at most {MAX_LINKS} links"})
        return links
    if name == "timezone":
        return check_timezone(value)
    if name == "visibility":
        if value not in ("communities", "platform"):
            raise InvalidProfile({"visibility": "communities or platform"})
        return value
    if value is None:
        return None
    # Free text: a bio keeps its line breaks; one-line fields collapse their whitespace.
    text = value.strip() if name == "bio" else " ".join(value.split())
    return text or None


def can_view(
    *, viewer_id: str, owner_id: str, visibility: ProfileVisibility, share_a_community: bool
) -> bool:
    """Whether ``viewer_id`` (a signed-in member) may read ``owner_id``'s profile."""
    if viewer_id == owner_id or visibility == "platform":
        return True
    return share_a_community
