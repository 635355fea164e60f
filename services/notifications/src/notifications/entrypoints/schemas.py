"""Request and response bodies of the notifications API."""

from datetime import datetime, time
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from cerchia_chassis.text import Line
from notifications.domain.categories import Category
from notifications.domain.preferences import DigestFrequency, EmailMode
from notifications.domain.push_keys import auth_problem, p256dh_problem


class Request(BaseModel):
    """Base of request bodies: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")


def example(*examples: dict[str, Any]) -> ConfigDict:
    """A request model's config with examples shown in the OpenAPI document."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(examples)})


_COMMUNITY = "0195f0c4-7d1a-7b3e-9a51-2f4c1e8d9a10"


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

    model_config = example(
        {
            "categories": {
                "discussions": {"in_app": True, "email": "digest", "push": False},
                "events": {"in_app": True, "email": "instant", "push": True},
            },
            "communities": {_COMMUNITY: {"discussions": {"in_app": True, "email": "off"}}},
            "quiet_hours": {"start": "22:00", "end": "07:30"},
            "digest": {"frequency": "daily", "hour": 8},
            "community_digests": {_COMMUNITY: {"frequency": "weekly", "hour": 18, "weekday": 4}},
        }
    )

    categories: dict[Category, ChannelChoiceIn] = Field(default_factory=dict)
    communities: dict[str, dict[Category, ChannelChoiceIn]] = Field(
        default_factory=dict, description="Per community overrides, by community id."
    )
    quiet_hours: QuietHoursIn | None = None
    digest: DigestIn = Field(default_factory=DigestIn)
    community_digests: dict[str, DigestIn] = Field(
        default_factory=dict,
        description="Per community digest schedules, by community id (others use `digest`).",
    )


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
    community_digests: dict[str, DigestIn]


class PushKeys(Request):
    """The keys of a ``PushSubscription``."""

    p256dh: str = Field(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_\-=]+$")
    auth: str = Field(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_\-=]+$")

    @field_validator("p256dh")
    @classmethod
    def _a_p256_key(cls, value: str) -> str:
        problem = p256dh_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("auth")
    @classmethod
    def _an_auth_secret(cls, value: str) -> str:
        problem = auth_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class PushSubscriptionIn(BaseModel):
    """A browser's ``PushSubscription.toJSON()``."""

    # Browsers may add fields; none is stored.
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "endpoint": "https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bHq",
                    "expirationTime": None,
                    "keys": {
                        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u"
                        "-Ts1XbjhazAkj7I99e8QcYP7DkM",
                        "auth": "tBHItJI5svbpez7KI4CCXg",
                    },
                }
            ]
        },
    )

    endpoint: HttpUrl
    expirationTime: int | None = None  # noqa: N815 - the browser's own field name
    keys: PushKeys


class PushUnsubscribeIn(Request):
    """Which subscription to forget."""

    model_config = example({"endpoint": "https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bHq"})

    endpoint: HttpUrl


class VapidKeyOut(BaseModel):
    """The key browsers pass as ``applicationServerKey``."""

    public_key: str = Field(description="base64url, uncompressed P-256 point.")


class WebhookIn(Request):
    """A webhook endpoint to register."""

    model_config = example(
        {
            "community_id": _COMMUNITY,
            "url": "https://integrations.example.org/cerchia/hooks",
            "event_types": ["cerchia.membership.member_joined.v1"],
        }
    )

    community_id: Line = Field(min_length=1, max_length=100)
    url: HttpUrl
    event_types: list[Line] = Field(
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


class WebhookReplayIn(Request):
    """What to send again: some events by id, or everything in a time range."""

    model_config = example(
        {"event_ids": ["0195f0c4-8e2b-7c11-b0a4-6d2e5f7a8b90"]},
        {"since": "2026-03-01T00:00:00Z", "until": "2026-03-02T00:00:00Z"},
    )

    event_ids: list[Line] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="CloudEvent ids (the `id` of the payloads received).",
    )
    since: datetime | None = Field(default=None, description="From this moment (inclusive).")
    until: datetime | None = Field(default=None, description="Up to this moment (exclusive).")

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        by_time = self.since is not None or self.until is not None
        if (self.event_ids is None) == (not by_time):
            raise ValueError("give either `event_ids` or a time range (`since` and/or `until`)")
        if self.since and self.until and self.since >= self.until:
            raise ValueError("`since` must be before `until`")
        for moment in (self.since, self.until):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("times need a UTC offset, e.g. 2026-03-01T00:00:00Z")
        return self


class ReplayedOut(BaseModel):
    """How many deliveries were queued again."""

    replayed: int
