"""Webhook subscriptions of integrators: where a community's events are POSTed, signed."""

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from cerchia_contracts.catalog import Topic, all_event_classes
from notifications.domain.errors import InvalidWebhook
from notifications.domain.rules import FANOUT_TOPICS, PRIVATE_EVENT_TYPES

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


def webhook_event_types(topic: Topic) -> list[str]:
    """The event types of ``topic`` that reach webhooks: those about one community, minus
    those that carry secrets or private messages."""
    classes = {event.event_type(): event for event in all_event_classes()}
    return [
        event_type
        for event_type in topic.event_types
        if event_type not in PRIVATE_EVENT_TYPES
        and "community_id" in classes[event_type].model_fields["data"].annotation.model_fields  # type: ignore[union-attr]
    ]


#: Every event type an integrator's endpoint can receive (what a subscription may filter on).
WEBHOOK_EVENT_TYPES = frozenset(
    event_type for topic in FANOUT_TOPICS for event_type in webhook_event_types(topic)
)


def check_registration(url: str, event_types: Sequence[str], *, allow_http: bool) -> None:
    """Refuse, naming each field at fault: event types webhooks never receive, credentials in
    the URL (they would be stored and listed), a port outside 1-65535, and plain http unless
    ``allow_http`` (the local-development switch). Where the URL's host may point is the URL
    guard's concern."""
    errors: dict[str, str] = {}
    unknown = sorted({t for t in event_types if t not in WEBHOOK_EVENT_TYPES})
    if unknown:
        errors["event_types"] = (
            f"webhooks never receive {', '.join(unknown)}; "
            "see the OpenAPI document's `webhooks` section for the event types they do"
        )
    url_problem = _url_problem(url, allow_http=allow_http)
    if url_problem:
        errors["url"] = url_problem
    if errors:
        raise InvalidWebhook(errors)


def _url_problem(url: str, *, allow_http: bool) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "only absolute https URLs are accepted"
    if parts.scheme == "http" and not allow_http:
        return "only https URLs are accepted"
    if parts.username is not None or parts.password is not None:
        return "credentials in the URL are not accepted: authenticate the signature instead"
    try:
        port = parts.port
    except ValueError:
        return "the port must be between 1 and 65535"
    if port is not None and not 1 <= port <= 65535:
        return "the port must be between 1 and 65535"
    return None
