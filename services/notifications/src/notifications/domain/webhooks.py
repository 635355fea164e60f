"""Webhook subscriptions of integrators: where a community's events are POSTed, signed."""

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks format (``whsec_`` + base64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class WebhookSubscription:
    """An endpoint registered by a community's owner."""

    id: str
    community_id: str
    owner_id: str
    url: str
    event_types: tuple[str, ...]
    secret: str
    created_at: datetime
    active: bool = True
    consecutive_failures: int = 0

    def wants(self, event_type: str) -> bool:
        """Whether an event type passes the filter (an empty filter takes everything)."""
        return not self.event_types or event_type in self.event_types
