"""What a notification is about (the unit of preferences) and how urgent it is."""

from enum import StrEnum


class Category(StrEnum):
    """A family of notifications a person can turn on or off per channel."""

    ACCOUNT = "account"
    MEMBERSHIP = "membership"
    DISCUSSIONS = "discussions"
    MENTIONS = "mentions"
    DIRECT_MESSAGES = "direct_messages"
    EVENTS = "events"
    MODERATION = "moderation"


#: Security messages (verification, password reset) cannot be turned off, deferred or digested.
UNSUBSCRIBABLE = frozenset(Category) - {Category.ACCOUNT}


class Urgency(StrEnum):
    """How soon a notification must reach the person (RFC 8030 ``Urgency`` for push)."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    #: Goes through quiet hours and the fan-out budget (security, imminent event changes).
    CRITICAL = "critical"

    @property
    def push_header(self) -> str:
        """The Web Push ``Urgency`` header value."""
        return "high" if self in (Urgency.HIGH, Urgency.CRITICAL) else self.value
