"""Request and response bodies of joining, applications, invitations and the waitlist."""

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from cerchia_chassis.domain.cursors import Page
from cerchia_chassis.text import Text
from membership.domain.admission import Application, Invitation
from membership.domain.communities import Community
from membership.domain.memberships import Membership
from membership.entrypoints import examples
from membership.entrypoints.schemas_communities import CommunityOut


class Join(BaseModel):
    """Join (or take a seat) having accepted the code of conduct version in force."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code_of_conduct_version": 1}]}
    )

    code_of_conduct_version: int = Field(ge=1, description="The version you accept.")


class Apply(BaseModel):
    """Apply with answers to the screening questions (by question id)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"answers": {"why": "To get reviews on my code."}, "code_of_conduct_version": 1}
            ]
        },
    )

    answers: dict[str, str] = Field(default_factory=dict, max_length=5)
    code_of_conduct_version: int = Field(ge=1)


class Decide(BaseModel):
    """A moderator's decision, with the reason recorded in the audit log."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Fits the audience well."}]}
    )

    reason: Text = Field(min_length=1, max_length=1000, pattern=r"\S")


class Invite(BaseModel):
    """Invite someone by email; the single-use link is sent to them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": "grace@example.org", "expires_in_hours": 72}]},
    )

    email: EmailStr = Field(max_length=254)
    expires_in_hours: int | None = Field(
        default=None, ge=1, le=720, description="Defaults to the service's setting (7 days)."
    )

    def ttl(self) -> timedelta | None:
        """How long the link works (None: the service's default)."""
        return None if self.expires_in_hours is None else timedelta(hours=self.expires_in_hours)


class InviteByLink(BaseModel):
    """Make an "anyone with the link" invitation for a number of people (shared by its maker)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"max_uses": 20, "expires_in_hours": 72}]},
    )

    max_uses: int = Field(ge=1, le=500, description="How many people the link admits.")
    expires_in_hours: int | None = Field(
        default=None, ge=1, le=720, description="Defaults to the service's setting (7 days)."
    )

    def ttl(self) -> timedelta | None:
        """How long the link works (None: the service's default)."""
        return None if self.expires_in_hours is None else timedelta(hours=self.expires_in_hours)


class AdmissionOut(BaseModel):
    """The outcome of an admission: a seat, or a place in line."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ADMISSION]})

    community_id: str
    state: Literal["member", "waitlisted"]
    role: Literal["owner", "moderator", "member"] | None = None
    waitlist_position: int | None = Field(default=None, description="1-based, when waitlisted.")

    @classmethod
    def of(cls, m: Membership, position: int | None) -> "AdmissionOut":
        """From the admitted person's standing."""
        return cls(
            community_id=m.community_id,
            state="member" if m.is_member else "waitlisted",
            role=m.role if m.is_member else None,
            waitlist_position=position,
        )


class AnswerOut(BaseModel):
    """An answer to a screening question."""

    question_id: str
    prompt: str
    answer: str


class ApplicationOut(BaseModel):
    """An application and its decision."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.APPLICATION_OUT]})

    id: str
    community_id: str
    applicant_id: str
    answers: list[AnswerOut]
    code_of_conduct_version: int
    status: Literal["pending", "approved", "rejected", "withdrawn", "closed"] = Field(
        description="``closed``: ended without a decision (applicant banned, community archived)."
    )
    submitted_at: datetime
    decided_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, a: Application) -> "ApplicationOut":
        """From the domain application."""
        return cls(
            id=a.id,
            community_id=a.community_id,
            applicant_id=a.applicant_id,
            answers=[
                AnswerOut(question_id=x.question_id, prompt=x.prompt, answer=x.text)
                for x in a.answers
            ],
            code_of_conduct_version=a.code_version,
            status=a.status,
            submitted_at=a.submitted_at,
            decided_at=a.decided_at,
            reason=a.reason,
        )


class ApplicationPage(BaseModel):
    """A page of the moderators' queue."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.APPLICATION_PAGE]})

    items: list[ApplicationOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[Application]) -> "ApplicationPage":
        """From a page of the domain's applications."""
        return cls(items=[ApplicationOut.of(x) for x in page.items], next_cursor=page.next_cursor)


class InvitationOut(BaseModel):
    """An invitation (an emailed one's token is only in the email)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.INVITATION_OUT]})

    id: str
    community_id: str
    email: str | None = Field(
        description="The invited address (only its verified owner may accept); null for a link."
    )
    invited_by: str
    status: Literal["pending", "accepted", "revoked"] = Field(
        description="`accepted` once used (a link: by as many people as it admits)."
    )
    created_at: datetime
    expires_at: datetime
    used_by: str | None = Field(description="Who used it last.")
    kind: Literal["email", "link"] = Field(
        description='`email`: for one address; `link`: "anyone with the link".'
    )
    max_uses: int = Field(description="How many people it admits (1 for an email).")
    uses: int = Field(description="How many have used it.")

    @classmethod
    def of(cls, i: Invitation) -> "InvitationOut":
        """From the domain invitation."""
        return cls(
            id=i.id,
            community_id=i.community_id,
            email=i.email,
            invited_by=i.invited_by,
            status=i.status,
            created_at=i.created_at,
            expires_at=i.expires_at,
            used_by=i.used_by,
            kind=i.kind,
            max_uses=i.max_uses,
            uses=i.uses,
        )


class InvitationLinkOut(InvitationOut):
    """A new link invitation with its token, shown this once: share it as you like."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.INVITATION_LINK_OUT]})

    token: str = Field(
        description="The secret of the link: accept at `POST /api/v1/invitations/{token}/accept`."
    )

    @classmethod
    def made(cls, i: Invitation, token: str) -> "InvitationLinkOut":
        """The invitation and its token."""
        return cls(**InvitationOut.of(i).model_dump(), token=token)


class InvitationPreviewOut(BaseModel):
    """What an invitation's token opens: the community (its code of conduct to accept) and
    until when the invitation works."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.INVITATION_PREVIEW]})

    community: CommunityOut
    kind: Literal["email", "link"]
    expires_at: datetime

    @classmethod
    def of(cls, i: Invitation, community: Community) -> "InvitationPreviewOut":
        """From the invitation and its community."""
        return cls(community=CommunityOut.of(community), kind=i.kind, expires_at=i.expires_at)


class InvitationPage(BaseModel):
    """A page of invitations."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.INVITATION_PAGE]})

    items: list[InvitationOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[Invitation]) -> "InvitationPage":
        """From a page of the domain's invitations."""
        return cls(items=[InvitationOut.of(x) for x in page.items], next_cursor=page.next_cursor)


class WaitlistEntry(BaseModel):
    """Someone in line."""

    user_id: str
    position: int
    state: Literal["waitlisted", "offered"]
    waiting_since: datetime
    seat_offer_expires_at: datetime | None


class WaitlistOut(BaseModel):
    """The line, in order (people holding an offer first)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.WAITLIST]})

    items: list[WaitlistEntry]

    @classmethod
    def of(cls, line: list[Membership]) -> "WaitlistOut":
        """From the line in order: positions count from 1."""
        return cls(
            items=[
                WaitlistEntry(
                    user_id=m.user_id,
                    position=i,
                    state="offered" if m.offer else "waitlisted",
                    waiting_since=m.since,
                    seat_offer_expires_at=m.offer.expires_at if m.offer else None,
                )
                for i, m in enumerate(line, start=1)
            ]
        )


class SeatOfferOut(BaseModel):
    """A seat held for you until it expires."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.SEAT_OFFER]})

    community_id: str
    offer_id: str
    offered_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, standing: Membership) -> "SeatOfferOut":
        """From the standing that holds the offer."""
        offer = standing.offer
        assert offer is not None  # my_offer refuses a standing without one
        return cls(
            community_id=standing.community_id,
            offer_id=offer.id,
            offered_at=offer.offered_at,
            expires_at=offer.expires_at,
        )
