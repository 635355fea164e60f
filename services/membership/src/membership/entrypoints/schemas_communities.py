"""Request and response bodies of communities, their code of conduct and standings."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.domain.cursors import Page
from cerchia_chassis.text import Line, Text
from membership.domain.communities import (
    DEFAULT_CAPACITY,
    MAX_CAPACITY,
    MAX_SCREENING_QUESTIONS,
    Community,
    Details,
    ScreeningQuestion,
)
from membership.domain.memberships import Membership
from membership.entrypoints import examples
from membership.service.communities import Changes, CommunityView, Founding
from membership.service.directory import MyCommunity

Visibility = Literal["public", "unlisted", "private"]
JoinPolicy = Literal["open", "application", "invite_only"]
Language = Literal["it", "en"]
Tag = Field(min_length=1, max_length=40)

_CREATE_EXAMPLE: dict[str, Any] = {
    "name": "Python a Bologna",
    "slug": "python-bologna",
    "purpose": "Grow as Python developers by reviewing each other's code every month.",
    "audience": "Developers in and around Bologna, from junior to senior.",
    "tags": ["python", "code review"],
    "language": "it",
    "visibility": "public",
    "join_policy": "application",
    "capacity": 60,
    "code_of_conduct": "Be kind, be constructive, no recruiting spam.",
    "screening_questions": [
        {"id": "why", "prompt": "Why do you want to join?", "required": True},
    ],
}


class QuestionBody(BaseModel):
    """A screening question applicants answer."""

    model_config = ConfigDict(extra="forbid")

    id: Line = Field(pattern=r"^[a-z0-9_-]{1,40}$", description="Stable key of the question.")
    prompt: Line = Field(min_length=1, max_length=500, description="The question.")
    required: bool = Field(default=True, description="Whether an answer is mandatory.")

    def domain(self) -> ScreeningQuestion:
        """As a domain value."""
        return ScreeningQuestion(id=self.id, prompt=self.prompt.strip(), required=self.required)


class CreateCommunity(BaseModel):
    """Found a community; you become its owner and first member."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CREATE_EXAMPLE]})

    name: Line = Field(min_length=3, max_length=80, pattern=r"\S")
    slug: Line = Field(min_length=3, max_length=50, description="Unique URL name: a-z, 0-9, -.")
    purpose: Text = Field(min_length=10, max_length=2000, description="Mission statement.")
    audience: Text = Field(min_length=3, max_length=1000, description="Who it is for.")
    tags: list[Line] = Field(default_factory=list, max_length=10, description="Topics.")
    language: Language = "it"
    visibility: Visibility = "public"
    join_policy: JoinPolicy = "open"
    capacity: int = Field(default=DEFAULT_CAPACITY, ge=1, le=MAX_CAPACITY)
    code_of_conduct: Text = Field(min_length=10, max_length=20000, description="Version 1.")
    screening_questions: list[QuestionBody] = Field(
        default_factory=list, max_length=MAX_SCREENING_QUESTIONS
    )

    def founding(self) -> Founding:
        """What the founding use case takes."""
        return Founding(
            details=Details(
                name=self.name,
                slug=self.slug,
                purpose=self.purpose.strip(),
                audience=self.audience.strip(),
                tags=tuple(self.tags),
                language=self.language,
                visibility=self.visibility,
                join_policy=self.join_policy,
            ),
            capacity=self.capacity,
            code_of_conduct=self.code_of_conduct.strip(),
            questions=tuple(q.domain() for q in self.screening_questions),
        )


class UpdateCommunity(BaseModel):
    """Change some settings (owner only); omitted fields stay as they are."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"capacity": 80, "tags": ["python"]}]}
    )

    name: Line | None = Field(default=None, min_length=3, max_length=80, pattern=r"\S")
    slug: Line | None = Field(default=None, min_length=3, max_length=50)
    purpose: Text | None = Field(default=None, min_length=10, max_length=2000)
    audience: Text | None = Field(default=None, min_length=3, max_length=1000)
    tags: list[Line] | None = Field(default=None, max_length=10)
    language: Language | None = None
    visibility: Visibility | None = None
    join_policy: JoinPolicy | None = None
    capacity: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)
    screening_questions: list[QuestionBody] | None = Field(
        default=None, max_length=MAX_SCREENING_QUESTIONS
    )

    def changes(self) -> Changes:
        """The settings sent (an omitted field stays as it is)."""
        fields = self.model_dump(exclude_unset=True, exclude={"screening_questions", "tags"})
        questions = self.screening_questions
        return Changes(
            **fields,
            tags=None if self.tags is None else tuple(self.tags),
            questions=None if questions is None else tuple(q.domain() for q in questions),
        )


class PublishCode(BaseModel):
    """Publish a new code of conduct version; every member must accept it again."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"text": "Be kind. No spam. No ads."}]}
    )

    text: Text = Field(min_length=10, max_length=20000)


class AcceptCode(BaseModel):
    """Accept a code of conduct version (it must be the current one)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 2}]})

    version: int = Field(ge=1)


class QuestionOut(BaseModel):
    """A screening question."""

    id: str
    prompt: str
    required: bool


class StandingOut(BaseModel):
    """Where the caller stands in the community."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.STANDING]})

    state: Literal["applicant", "waitlisted", "offered", "member", "former", "banned"]
    role: Literal["owner", "moderator", "member"] | None = None
    joined_at: datetime | None = None
    waitlist_position: int | None = Field(default=None, description="1-based, when waiting.")
    seat_offer_expires_at: datetime | None = None
    code_of_conduct_version: int | None = Field(default=None, description="Version accepted.")
    code_of_conduct_accepted_at: datetime | None = None
    must_accept_code_of_conduct: bool = Field(
        default=False, description="A newer version awaits the member's acceptance."
    )
    application_id: str | None = Field(
        default=None, description="My pending application, while applying (to withdraw it)."
    )

    @classmethod
    def of(cls, m: Membership, current_code: int, position: int | None = None) -> "StandingOut":
        """From the domain standing."""
        return cls(
            state=m.state,
            role=m.role if m.is_member else None,
            joined_at=m.joined_at if m.is_member else None,
            waitlist_position=position,
            seat_offer_expires_at=m.offer.expires_at if m.offer else None,
            code_of_conduct_version=m.code_version,
            code_of_conduct_accepted_at=m.code_accepted_at,
            must_accept_code_of_conduct=m.needs_code_acceptance(current_code),
            application_id=m.application_id if m.state == "applicant" else None,
        )


class CommunityOut(BaseModel):
    """A community as the caller may see it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.COMMUNITY_OUT]})

    id: str
    slug: str
    name: str
    purpose: str
    audience: str
    tags: list[str]
    language: Language
    visibility: Visibility
    join_policy: JoinPolicy
    capacity: int
    member_count: int
    seats_available: int = Field(description="Free seats (0 when full or held for offers).")
    owner_id: str | None = Field(
        description="None once the owner's account was erased and the community archived."
    )
    code_of_conduct_version: int
    code_of_conduct: str = Field(description="The code of conduct in force (its text).")
    screening_questions: list[QuestionOut]
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    waitlist_length: int | None = Field(
        default=None,
        description="How many wait for a seat: on the community's own page, and in listings "
        "for a full community.",
    )
    my_standing: StandingOut | None = None

    @classmethod
    def page(cls, view: CommunityView) -> "CommunityOut":
        """A community's own page: with the caller's place in line and the waitlist's length."""
        out = cls.of(view.community, view.standing, view.position)
        return out.model_copy(update={"waitlist_length": view.waiting})

    @classmethod
    def of(
        cls, c: Community, standing: Membership | None = None, position: int | None = None
    ) -> "CommunityOut":
        """From the domain community and the caller's standing (``position`` in line)."""
        d = c.details
        return cls(
            id=c.id,
            slug=d.slug,
            name=d.name,
            purpose=d.purpose,
            audience=d.audience,
            tags=list(d.tags),
            language=d.language,
            visibility=d.visibility,
            join_policy=d.join_policy,
            capacity=c.seats.capacity,
            member_count=c.seats.members,
            seats_available=c.seats.free,
            owner_id=c.owner_id,
            code_of_conduct_version=c.code_of_conduct.version,
            code_of_conduct=c.code_of_conduct.text,
            screening_questions=[
                QuestionOut(id=q.id, prompt=q.prompt, required=q.required) for q in c.questions
            ],
            created_at=c.created_at,
            updated_at=c.updated_at,
            archived_at=c.archived_at,
            my_standing=None
            if standing is None
            else StandingOut.of(standing, c.code_of_conduct.version, position),
        )


class CommunityPage(BaseModel):
    """A page of communities."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.COMMUNITY_PAGE]})

    items: list[CommunityOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")

    @classmethod
    def of(cls, page: Page[Community], waiting: dict[str, int] | None = None) -> "CommunityPage":
        """From a page of communities and how many wait in the full ones."""
        waiting = waiting or {}
        return cls(
            items=[
                CommunityOut.of(c).model_copy(update={"waitlist_length": waiting.get(c.id)})
                for c in page.items
            ],
            next_cursor=page.next_cursor,
        )


class CodeOfConductOut(BaseModel):
    """The code of conduct in force and the caller's acceptance."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CODE_OF_CONDUCT]})

    community_id: str
    version: int
    text: str
    published_at: datetime
    accepted_version: int | None = None
    accepted_at: datetime | None = None
    must_accept: bool = False

    @classmethod
    def of(cls, community: Community, standing: Membership | None) -> "CodeOfConductOut":
        """The code in force, with the reader's acceptance."""
        code = community.code_of_conduct
        return cls(
            community_id=community.id,
            version=code.version,
            text=code.text,
            published_at=code.published_at,
            accepted_version=standing.code_version if standing else None,
            accepted_at=standing.code_accepted_at if standing else None,
            must_accept=standing.needs_code_acceptance(code.version) if standing else False,
        )


class MyCommunityOut(BaseModel):
    """One of my communities with my standing."""

    community: CommunityOut
    standing: StandingOut


class MyCommunities(BaseModel):
    """Communities I belong to, wait for or applied to."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.MY_COMMUNITIES]})

    items: list[MyCommunityOut]

    @classmethod
    def of(cls, mine: list[MyCommunity]) -> "MyCommunities":
        """From my standings, each with its community."""
        return cls(
            items=[
                MyCommunityOut(
                    community=CommunityOut.of(m.community),
                    standing=StandingOut.of(
                        m.standing, m.community.code_of_conduct.version, m.position
                    ),
                )
                for m in mine
            ]
        )
