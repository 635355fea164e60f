"""Request and response bodies for RSVPs, the waitlist, attendees, check-in and recaps."""

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from cerchia_chassis.text import Line, Text
from events.domain.recaps import RecapLink


class RsvpRequest(BaseModel):
    """Answer an invitation."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"answer": "going"}]})

    answer: Literal["going", "interested", "not_going"] = Field(
        description="going takes a seat, or a place on the waitlist when full."
    )


class RsvpOut(BaseModel):
    """The caller's RSVP after answering."""

    event_id: str
    user_id: str
    status: Literal["going", "waitlisted", "interested", "not_going"]
    waitlist_position: int | None = Field(description="1-based place in line when waitlisted.")
    responded_at: datetime
    going_count: int
    seats_left: int | None


class WaitlistEntryOut(BaseModel):
    """One person waiting, in order."""

    user_id: str
    position: int
    since: datetime


class WaitlistOut(BaseModel):
    """The FIFO waitlist."""

    items: list[WaitlistEntryOut]


class AttendeeOut(BaseModel):
    """A confirmed attendee; check-in details only for hosts."""

    user_id: str
    checked_in_at: datetime | None = None
    check_in_method: Literal["host", "code"] | None = None


class AttendeePage(BaseModel):
    """A page of confirmed attendees, by user id."""

    items: list[AttendeeOut]
    checked_in_count: int | None = Field(description="For hosts: how many checked in so far.")
    next_cursor: str | None


class CheckInRequest(BaseModel):
    """Check yourself in with the code the host shows."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "K7PX2M"}]})

    code: Line = Field(min_length=4, max_length=12, description="The host's code.")


class CheckInCodeOut(BaseModel):
    """What the host shows at the door."""

    code: str
    qr_svg: str = Field(description="SVG QR code encoding `payload`.")
    payload: str = Field(description="cerchia:check-in:<event id>:<code>")


class CheckInOut(BaseModel):
    """A recorded check-in."""

    event_id: str
    user_id: str
    checked_in_at: datetime
    method: Literal["host", "code"]


class RecapLinkIn(BaseModel):
    """A link shared with the recap."""

    model_config = ConfigDict(extra="forbid")

    title: Line = Field(min_length=1, max_length=140)
    url: AnyHttpUrl


class RecapRequest(BaseModel):
    """Publish (or revise) the recap after the event."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "notes": "Great turnout! **Next time**: chapters 4-6.",
                    "links": [{"title": "Slides", "url": "https://example.org/slides.pdf"}],
                }
            ]
        },
    )

    notes: Text = Field(min_length=1, max_length=20_000, description="Markdown.")
    links: list[RecapLinkIn] = Field(default_factory=list, max_length=20)

    def recap_links(self) -> tuple[RecapLink, ...]:
        """The links in the domain's terms."""
        return tuple(RecapLink(title=link.title, url=str(link.url)) for link in self.links)


class RecapLinkOut(BaseModel):
    """A link of a recap."""

    title: str
    url: str


class RecapOut(BaseModel):
    """A published recap."""

    id: str
    revision: int
    author_id: str
    notes: str
    notes_html: str
    links: list[RecapLinkOut]
    published_at: datetime
