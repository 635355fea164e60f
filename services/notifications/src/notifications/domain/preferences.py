"""A person's choices: per category (optionally per community) and per channel."""

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import time
from enum import StrEnum

from notifications.domain.categories import Category
from notifications.domain.errors import CommunityNotFound, InvalidPreferences


class EmailMode(StrEnum):
    """How email is used for a category."""

    INSTANT = "instant"
    DIGEST = "digest"
    OFF = "off"


class DigestFrequency(StrEnum):
    """How often the digest email goes out."""

    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True)
class ChannelChoice:
    """The channels one category uses."""

    in_app: bool = True
    email: EmailMode = EmailMode.INSTANT
    push: bool = True


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in the person's time zone, when non-critical email and push wait."""

    start: time
    end: time


@dataclass(frozen=True)
class DigestSchedule:
    """When the digest goes out, in the person's time zone."""

    frequency: DigestFrequency = DigestFrequency.DAILY
    hour: int = 8
    #: 0 is Monday; used by weekly digests only.
    weekday: int = 0


#: Busy conversations would flood an inbox: discussions go to the digest unless asked otherwise.
DEFAULT_CHOICES: dict[Category, ChannelChoice] = {
    Category.ACCOUNT: ChannelChoice(push=False),
    Category.MEMBERSHIP: ChannelChoice(),
    Category.DISCUSSIONS: ChannelChoice(email=EmailMode.DIGEST, push=False),
    Category.MENTIONS: ChannelChoice(),
    Category.DIRECT_MESSAGES: ChannelChoice(),
    Category.EVENTS: ChannelChoice(),
    Category.MODERATION: ChannelChoice(),
}


@dataclass(frozen=True)
class Preferences:
    """Everything a person chose; what they did not choose falls back to the defaults."""

    categories: dict[Category, ChannelChoice] = field(default_factory=dict)
    #: Per community, per category overrides of ``categories``.
    communities: dict[str, dict[Category, ChannelChoice]] = field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    digest: DigestSchedule = field(default_factory=DigestSchedule)
    #: Per community digest schedules; communities not listed use ``digest``.
    community_digests: dict[str, DigestSchedule] = field(default_factory=dict)

    def digest_for(self, community_id: str | None) -> DigestSchedule:
        """When the digest of a community (or of what belongs to none) goes out."""
        if community_id is None:
            return self.digest
        return self.community_digests.get(community_id, self.digest)

    def choice(self, category: Category, community_id: str | None = None) -> ChannelChoice:
        """The channels for a category, in a community if one is given."""
        if category is Category.ACCOUNT:
            return DEFAULT_CHOICES[Category.ACCOUNT]  # security messages always arrive
        if community_id is not None and category in self.communities.get(community_id, {}):
            return self.communities[community_id][category]
        return self.categories.get(category, DEFAULT_CHOICES[category])

    def with_email_off(self, category: Category) -> "Preferences":
        """The result of one-click unsubscribe: this category's email is off everywhere."""
        categories = {
            **self.categories,
            category: replace(self.choice(category), email=EmailMode.OFF),
        }
        communities = {
            community: (
                {**choices, category: replace(choices[category], email=EmailMode.OFF)}
                if category in choices
                else choices
            )
            for community, choices in self.communities.items()
        }
        return replace(self, categories=categories, communities=communities)

    def with_community_digest_off(self, community_id: str) -> "Preferences":
        """Unsubscribing from one community's digest: what it set aside there is not emailed."""
        overrides = dict(self.communities.get(community_id, {}))
        for category in Category:
            choice = self.choice(category, community_id)
            if category is not Category.ACCOUNT and choice.email is EmailMode.DIGEST:
                overrides[category] = replace(choice, email=EmailMode.OFF)
        return replace(self, communities={**self.communities, community_id: overrides})

    def with_digest_off(self) -> "Preferences":
        """Unsubscribing from the digest: what went to the digest is not emailed at all."""
        result = self
        for category in Category:
            if category is not Category.ACCOUNT and self.choice(category).email is EmailMode.DIGEST:
                result = result.with_email_off(category)
        for choices in self.communities.values():
            for category, choice in choices.items():
                if choice.email is EmailMode.DIGEST:
                    result = result.with_email_off(category)
        return result


def check_preferences(
    preferences: Preferences, *, known_communities: Collection[str], current: Preferences
) -> None:
    """Refuse, naming each field at fault, what could not be honoured: the ``account`` category's
    email off or to the digest (security messages are always emailed at once), a quiet-hours
    window that starts when it ends (``InvalidPreferences``); then overrides or digest schedules
    for a community that is not in ``known_communities`` (``CommunityNotFound``; those already
    in ``current`` stay, so what was read can be written back after the community is gone)."""
    errors: dict[str, str] = {}
    account = Category.ACCOUNT
    security = "account email (sign-in and security messages) cannot be turned off or digested"
    chosen = preferences.categories.get(account)
    if chosen is not None and chosen.email is not EmailMode.INSTANT:
        errors[f"categories.{account.value}.email"] = security
    for community, choices in preferences.communities.items():
        if account in choices and choices[account].email is not EmailMode.INSTANT:
            errors[f"communities.{community}.{account.value}.email"] = security
    quiet = preferences.quiet_hours
    if quiet is not None and quiet.start == quiet.end:
        errors["quiet_hours"] = "the window is empty: `start` must differ from `end`"
    if errors:
        raise InvalidPreferences(errors)
    kept = set(current.communities) | set(current.community_digests)
    named = [*preferences.communities, *preferences.community_digests]
    unknown = sorted({c for c in named if c not in known_communities and c not in kept})
    if unknown:
        raise CommunityNotFound(unknown)
