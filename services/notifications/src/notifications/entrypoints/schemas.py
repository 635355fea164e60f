"""Request and response bodies of the notifications API."""

from datetime import datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from notifications.domain.categories import Category
from notifications.domain.preferences import DigestFrequency, EmailMode


class Request(BaseModel):
    """Base of request bodies: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")


class NotificationOut(BaseModel):
    """One notification in the feed."""

    id: str = Field(description="Id; also the SSE event id to resume from.")
    kind: str = Field(examples=["application_approved"])
    category: Category
    title: str
    body: str
    link: str = Field(description="Path in the app, relative to its origin.")
    community_id: str | None
    actor_id: str | None
    created_at: datetime
    read: bool


class FeedOut(BaseModel):
    """A page of the feed, newest first."""

    items: list[NotificationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")


class UnreadOut(BaseModel):
    """How many notifications are unread."""

    unread: int


class MarkedOut(BaseModel):
    """How many notifications were marked read."""

    marked: int


class ChannelChoiceIn(Request):
    """The channels of one category."""

    in_app: bool = True
    email: EmailMode = EmailMode.INSTANT
    push: bool = True


class QuietHoursIn(Request):
    """A daily window in the person's time zone; it may span midnight."""

    start: time = Field(examples=["22:00"])
    end: time = Field(examples=["07:30"])


class DigestIn(Request):
    """When the digest goes out."""

    frequency: DigestFrequency = DigestFrequency.DAILY
    hour: int = Field(default=8, ge=0, le=23, description="Local hour.")
    weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday (weekly only).")


class PreferencesIn(Request):
    """Every preference; omitted categories use the defaults."""

    categories: dict[Category, ChannelChoiceIn] = Field(default_factory=dict)
    communities: dict[str, dict[Category, ChannelChoiceIn]] = Field(
        default_factory=dict, description="Per community overrides, by community id."
    )
    quiet_hours: QuietHoursIn | None = None
    digest: DigestIn = Field(default_factory=DigestIn)


class ChannelChoiceOut(BaseModel):
    """The channels of one category."""

    in_app: bool
    email: EmailMode
    push: bool


class PreferencesOut(BaseModel):
    """Every preference, defaults filled in."""

    categories: dict[Category, ChannelChoiceOut]
    communities: dict[str, dict[Category, ChannelChoiceOut]]
    quiet_hours: QuietHoursIn | None
    digest: DigestIn


class PushKeys(Request):
    """The keys of a ``PushSubscription``."""

    p256dh: str = Field(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_\-=]+$")
    auth: str = Field(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_\-=]+$")


class PushSubscriptionIn(BaseModel):
    """A browser's ``PushSubscription.toJSON()``."""

    model_config = ConfigDict(extra="ignore")  # browsers may add fields; none is stored

    endpoint: HttpUrl
    expirationTime: int | None = None  # noqa: N815 - the browser's own field name
    keys: PushKeys


class PushUnsubscribeIn(Request):
    """Which subscription to forget."""

    endpoint: HttpUrl


class VapidKeyOut(BaseModel):
    """The key browsers pass as ``applicationServerKey``."""

    public_key: str = Field(description="base64url, uncompressed P-256 point.")


class WebhookIn(Request):
    """A webhook endpoint to register."""

    community_id: str = Field(min_length=1, max_length=100)
    url: HttpUrl
    event_types: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="CloudEvents types to receive; empty means all of the community's events.",
        examples=[["cerchia.membership.member_joined.v1"]],
    )


class WebhookOut(BaseModel):
    """A webhook endpoint (its secret is only shown when created or rotated)."""

    id: str
    community_id: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime
    secret: str | None = Field(default=None, description="Shown once: store it now.")


class WebhookListOut(BaseModel):
    """A community's webhook endpoints."""

    items: list[WebhookOut]


class SecretOut(BaseModel):
    """A new signing secret, shown once."""

    secret: str


class UnsubscribedOut(BaseModel):
    """What one-click unsubscribe turned off."""

    status: Literal["unsubscribed"] = "unsubscribed"
    scope: str
