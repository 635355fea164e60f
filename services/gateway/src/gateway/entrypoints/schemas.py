"""Response bodies of the gateway's own routes."""

from typing import Any

from pydantic import BaseModel, Field


class PartWarningResponse(BaseModel):
    """A part of the view that could not be had."""

    part: str = Field(description="Which field is missing: profile, communities, ...")
    upstream: str = Field(description="The service that should have provided it.")
    code: str = Field(description="upstream-unavailable, upstream-timeout, upstream-error, ...")
    detail: str = Field(description="Human-readable reason.")


class MeResponse(BaseModel):
    """The caller at a glance; a field is null when its service could not answer in time."""

    user_id: str = Field(description="The caller's user id (the token's subject).")
    profile: dict[str, Any] | None = Field(default=None, description="The caller's profile.")
    communities: list[Any] | None = Field(
        default=None, description="Communities the caller belongs to, with their role."
    )
    unread_notifications: int | None = Field(
        default=None, description="Number of unread in-app notifications."
    )
    upcoming_events: list[Any] | None = Field(
        default=None, description="The next events the caller is going to."
    )
    warnings: list[PartWarningResponse] = Field(
        default_factory=list, description="Parts left out, and why; empty when complete."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "user_id": "0f9c6c1e-3f5c-4a55-9a43-6d1d1c0e8b2a",
                    "profile": {"display_name": "Ada L.", "handle": "ada"},
                    "communities": [
                        {"community_id": "c-1", "name": "Rust Torino", "role": "owner"}
                    ],
                    "unread_notifications": 3,
                    "upcoming_events": None,
                    "warnings": [
                        {
                            "part": "upcoming_events",
                            "upstream": "events",
                            "code": "upstream-unavailable",
                            "detail": "the service is unavailable",
                        }
                    ],
                }
            ]
        }
    }


class ThreadViewResponse(BaseModel):
    """A thread as its page shows it: each part is the body of the service's own read."""

    community: dict[str, Any] = Field(
        description="The community, with the caller's standing (`GET /api/v1/communities/{id}`)."
    )
    thread: dict[str, Any] = Field(description="The thread (`GET /api/v1/threads/{id}`).")
    replies: dict[str, Any] = Field(
        description="One page of replies in posting order, with `next_cursor` "
        "(`GET /api/v1/threads/{id}/replies`)."
    )
    members: list[Any] = Field(
        description="Members the caller can mention (the community's directory, first "
        "100); empty when it could not be had, with a warning."
    )
    warnings: list[PartWarningResponse] = Field(
        default_factory=list, description="Parts left out, and why; empty when complete."
    )
