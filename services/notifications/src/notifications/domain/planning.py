"""Which channels carry one notification to one person, and when."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from notifications.domain.categories import Urgency
from notifications.domain.deliveries import Channel
from notifications.domain.preferences import EmailMode, Preferences
from notifications.domain.rules import Rule
from notifications.domain.schedule import quiet_until


@dataclass(frozen=True)
class Recipient:
    """What fan-out knows about a person, from the local projections."""

    user_id: str
    email: str | None
    display_name: str
    locale: str = "it"
    timezone: str | None = None
    preferences: Preferences = field(default_factory=Preferences)
    has_push: bool = False
    #: False while the person's account is not projected here yet: their email waits for it.
    known: bool = True

    @property
    def reachable_by_email(self) -> bool:
        """Has an address, or may have one once their account is projected."""
        return bool(self.email) or not self.known


@dataclass(frozen=True)
class Plan:
    """One person's share of a notification."""

    recipient: Recipient
    in_app: bool
    email_at: datetime | None
    push_at: datetime | None
    digest: bool

    @property
    def external(self) -> int:
        """How many provider sends (email, push) this plan spends from the fan-out budget."""
        return (self.email_at is not None) + (self.push_at is not None)


def plan(rule: Rule, recipient: Recipient, *, community_id: str | None, now: datetime) -> Plan:
    """Apply the rule's channels, the person's choices and their quiet hours."""
    choice = recipient.preferences.choice(rule.category, community_id)
    critical = rule.urgency is Urgency.CRITICAL
    email_mode = (
        choice.email
        if Channel.EMAIL in rule.channels and recipient.reachable_by_email
        else EmailMode.OFF
    )
    push = Channel.PUSH in rule.channels and choice.push and recipient.has_push
    quiet = (
        None
        if critical
        else quiet_until(now, recipient.timezone, recipient.preferences.quiet_hours)
    )
    due = quiet or now
    return Plan(
        recipient=recipient,
        in_app=Channel.IN_APP in rule.channels and choice.in_app,
        email_at=due if email_mode is EmailMode.INSTANT else None,
        push_at=due if push else None,
        digest=email_mode is EmailMode.DIGEST,
    )


def within_budget(rule: Rule, plans: Sequence[Plan], granted: int) -> list[Plan]:
    """Keep ``granted`` provider sends; beyond them email falls back to the digest and push to
    the feed, so a busy community cannot flood its members (critical messages are exempt)."""
    if rule.urgency is Urgency.CRITICAL:
        return list(plans)
    kept: list[Plan] = []
    for item in plans:
        if item.external <= granted:
            granted -= item.external
            kept.append(item)
        else:
            kept.append(
                replace(
                    item, email_at=None, push_at=None, digest=item.digest or bool(item.email_at)
                )
            )
    return kept
