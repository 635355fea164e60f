"""Request and response bodies of introductions."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.text import Line, Text
from membership.domain.introductions import Suggestion
from membership.domain.public_profiles import PublicProfile
from membership.entrypoints import examples
from membership.service.introductions import IntroductionView


class RequestIntroduction(BaseModel):
    """Ask to be introduced to a fellow member of a community, with a short note."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "recipient_id": examples.MEMBER,
                    "community_id": examples.COMMUNITY,
                    "note": "I saw you mentor on Django; I'd love an hour of your advice.",
                }
            ]
        },
    )

    recipient_id: Line = Field(min_length=1, max_length=64)
    community_id: Line = Field(min_length=1, max_length=64)
    note: Text = Field(min_length=1, max_length=500, pattern=r"\S")


class PersonOut(BaseModel):
    """What members see of each other."""

    user_id: str
    display_name: str
    handle: str | None
    headline: str | None
    skills: list[str]
    interests: list[str]

    @classmethod
    def of(cls, p: PublicProfile) -> "PersonOut":
        """From the domain profile."""
        return cls(
            user_id=p.user_id,
            display_name=p.display_name,
            handle=p.handle,
            headline=p.headline,
            skills=list(p.skills),
            interests=list(p.interests),
        )


class SuggestionOut(BaseModel):
    """Someone worth meeting, and why."""

    person: PersonOut
    community_id: str = Field(description="A community you share.")
    score: int
    reasons: list[str]

    @classmethod
    def of(cls, s: Suggestion) -> "SuggestionOut":
        """From the domain suggestion."""
        return cls(
            person=PersonOut.of(s.profile),
            community_id=s.community_id,
            score=s.score,
            reasons=list(s.reasons),
        )


class Suggestions(BaseModel):
    """Suggestions, best first."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.SUGGESTIONS]})

    items: list[SuggestionOut]


class ContactOut(BaseModel):
    """Contact details, shared both ways once an introduction is accepted."""

    email: str | None
    handle: str | None


class IntroductionOut(BaseModel):
    """An introduction as one of its two parties sees it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.INTRODUCTION_OUT]})

    id: str
    community_id: str
    requester_id: str
    recipient_id: str
    note: str
    status: Literal["pending", "accepted", "declined"]
    requested_at: datetime
    answered_at: datetime | None
    other: PersonOut
    contact: ContactOut | None = Field(description="Only after acceptance.")

    @classmethod
    def of(cls, view: IntroductionView) -> "IntroductionOut":
        """From the use case's view."""
        i = view.introduction
        shared = i.status == "accepted"
        return cls(
            id=i.id,
            community_id=i.community_id,
            requester_id=i.requester_id,
            recipient_id=i.recipient_id,
            note=i.note,
            status=i.status,
            requested_at=i.requested_at,
            answered_at=i.answered_at,
            other=PersonOut.of(view.other),
            contact=ContactOut(email=view.other_email, handle=view.other.handle)
            if shared
            else None,
        )


class Introductions(BaseModel):
    """My introductions, newest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.INTRODUCTIONS]})

    items: list[IntroductionOut]
