"""Communities: what they are for, who may see and join them, how many seats they have."""

import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from cerchia_chassis.domain.errors import Conflict, Invalid

Visibility = Literal["public", "unlisted", "private"]
JoinPolicy = Literal["open", "application", "invite_only"]
Language = Literal["it", "en"]

DEFAULT_CAPACITY = 100
MAX_CAPACITY = 500
MAX_SCREENING_QUESTIONS = 5
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,48}[a-z0-9])$")


@dataclass(frozen=True)
class ScreeningQuestion:
    """A question applicants answer; required ones must not be left blank."""

    id: str
    prompt: str
    required: bool


@dataclass(frozen=True)
class CodeOfConduct:
    """One published version of the rules members accept."""

    version: int
    text: str
    published_at: datetime
    published_by: str


@dataclass(frozen=True)
class Details:
    """What a community says about itself and how people get in."""

    name: str
    slug: str
    purpose: str
    audience: str
    tags: tuple[str, ...]
    language: Language
    visibility: Visibility
    join_policy: JoinPolicy


@dataclass(frozen=True)
class Seats:
    """Capacity accounting: an open seat offer holds its seat until answered."""

    capacity: int
    members: int
    free: int

    @property
    def offered(self) -> int:
        """Seats held for people answering an offer."""
        return self.capacity - self.members - self.free

    def resized(self, capacity: int) -> "Seats":
        """The seats after a capacity change; never below the seats already taken."""
        check_capacity(capacity)
        taken = self.members + self.offered
        if capacity < taken:
            raise Conflict(
                f"Capacity {capacity} is below the {taken} seats already taken or offered.",
                code="capacity-below-members",
            )
        return Seats(capacity=capacity, members=self.members, free=capacity - taken)


def check_capacity(capacity: int) -> None:
    """The platform's hard cap keeps communities small."""
    if not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid(
            f"Capacity must be between 1 and {MAX_CAPACITY}.", code="capacity-out-of-range"
        )


def normalize_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Lower-case, trimmed, without duplicates, first spelling wins."""
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = " ".join(tag.split()).lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return tuple(seen)


def check_details(details: Details) -> Details:
    """Validate and normalise a community's description."""
    if not SLUG_PATTERN.fullmatch(details.slug):
        raise Invalid(
            "A slug is 3-50 lower-case letters, digits or inner hyphens.", code="invalid-slug"
        )
    return replace(details, name=" ".join(details.name.split()), tags=normalize_tags(details.tags))


def check_questions(questions: tuple[ScreeningQuestion, ...]) -> tuple[ScreeningQuestion, ...]:
    """At most five questions, each with a distinct id."""
    if len(questions) > MAX_SCREENING_QUESTIONS:
        raise Invalid(
            f"At most {MAX_SCREENING_QUESTIONS} screening questions.", code="too-many-questions"
        )
    if len({q.id for q in questions}) != len(questions):
        raise Invalid("Screening question ids must be distinct.", code="duplicate-question")
    return questions


@dataclass(frozen=True)
class Community:
    """A small, purposeful group with a capped number of members."""

    id: str
    details: Details
    seats: Seats
    #: None only for a community archived because its owner's account was erased.
    owner_id: str | None
    code_of_conduct: CodeOfConduct
    questions: tuple[ScreeningQuestion, ...]
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None

    @classmethod
    def found(
        cls,
        *,
        details: Details,
        capacity: int,
        owner_id: str,
        code_of_conduct: str,
        questions: tuple[ScreeningQuestion, ...],
        now: datetime,
    ) -> "Community":
        """A new community whose founder is its owner and its first member."""
        check_capacity(capacity)
        return cls(
            id=str(uuid.uuid4()),
            details=check_details(details),
            seats=Seats(capacity=capacity, members=1, free=capacity - 1),
            owner_id=owner_id,
            code_of_conduct=CodeOfConduct(
                version=1, text=code_of_conduct, published_at=now, published_by=owner_id
            ),
            questions=check_questions(questions),
            created_at=now,
            updated_at=now,
        )

    @property
    def archived(self) -> bool:
        """Archived communities are read-only."""
        return self.archived_at is not None

    def ensure_active(self) -> None:
        """Refuse changes to an archived community."""
        if self.archived:
            raise Conflict("The community is archived.", code="community-archived")

    def revised(
        self,
        *,
        details: Details,
        capacity: int,
        questions: tuple[ScreeningQuestion, ...],
        now: datetime,
    ) -> "Community":
        """The community after its owner changed its settings."""
        self.ensure_active()
        return replace(
            self,
            details=check_details(details),
            seats=self.seats.resized(capacity),
            questions=check_questions(questions),
            updated_at=now,
        )

    def with_code_of_conduct(self, text: str, *, by: str, now: datetime) -> "Community":
        """Publish the next version; every member must accept it again."""
        self.ensure_active()
        version = CodeOfConduct(
            version=self.code_of_conduct.version + 1, text=text, published_at=now, published_by=by
        )
        return replace(self, code_of_conduct=version, updated_at=now)

    def with_owner(self, owner_id: str, now: datetime) -> "Community":
        """The community after an ownership transfer."""
        return replace(self, owner_id=owner_id, updated_at=now)

    def archive(self, now: datetime) -> "Community":
        """Archive: no more admissions or changes."""
        self.ensure_active()
        return replace(self, archived_at=now, updated_at=now)

    def archive_ownerless(self, now: datetime) -> "Community":
        """Archive because the owner's account was erased and nobody may take it over: the
        community keeps no link to that person."""
        return replace(self.archive(now), owner_id=None)

    def ensure_current_code(self, version: int) -> None:
        """Joining requires accepting the version in force, not an older one."""
        if version != self.code_of_conduct.version:
            raise Conflict(
                f"Accept version {self.code_of_conduct.version} of the code of conduct "
                f"(you accepted {version}).",
                code="code-of-conduct-outdated",
            )
