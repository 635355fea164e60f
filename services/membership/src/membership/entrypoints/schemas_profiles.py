"""Request and response bodies of the profile API."""

from typing import Annotated, Any, Literal, Self

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, JsonValue, model_validator

from cerchia_chassis.text import Line, Text
from membership.domain.profiles import MAX_LINKS, MAX_NETWORKING, MAX_TAGS, Link
from membership.domain.users import User

Tag = Annotated[Line, Field(min_length=1, max_length=40)]
Phrase = Annotated[Line, Field(min_length=1, max_length=160)]
Visibility = Literal["communities", "platform"]

_EXAMPLE: dict[str, JsonValue] = {
    "display_name": "Ada Lovelace",
    "handle": "ada",
    "headline": "Analyst of engines, poet of numbers",
    "bio": "I write programs for machines that do not exist yet.",
    "skills": ["mathematics", "technical writing"],
    "interests": ["looms", "poetry"],
    "links": [{"label": "Site", "url": "https://ada.example.org"}],
    "city": "London",
    "locale": "en",
    "timezone": "Europe/London",
    "asks": ["a mechanical engineer to review my notes"],
    "offers": ["I can help with algorithms for beginners"],
    "visibility": "platform",
}


class LinkModel(BaseModel):
    """A link shown on a profile."""

    model_config = ConfigDict(extra="forbid")

    label: Line = Field(min_length=1, max_length=40, description="What the link is.")
    url: AnyHttpUrl = Field(description="An http(s) address.")


class ProfileUpdate(BaseModel):
    """Change some profile fields; fields left out stay as they are, ``null`` clears."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    display_name: Line | None = Field(
        default=None, min_length=1, max_length=80, pattern=r"\S", description="Name shown."
    )
    handle: Line | None = Field(
        default=None,
        max_length=31,
        description="Unique @handle: 3-30 letters, digits or underscores, a letter first.",
    )
    headline: Line | None = Field(default=None, max_length=120, description="One line about me.")
    bio: Text | None = Field(default=None, max_length=2000, description="A few paragraphs.")
    skills: list[Tag] | None = Field(default=None, max_length=MAX_TAGS, description="Skills.")
    interests: list[Tag] | None = Field(default=None, max_length=MAX_TAGS, description="Interests.")
    links: list[LinkModel] | None = Field(default=None, max_length=MAX_LINKS, description="Links.")
    city: Line | None = Field(default=None, max_length=80, description="City, if I share it.")
    locale: Literal["it", "en"] | None = Field(default=None, description="Language: it or en.")
    timezone: Line | None = Field(
        default=None, max_length=64, description="IANA time zone, e.g. Europe/Rome."
    )
    asks: list[Phrase] | None = Field(
        default=None, max_length=MAX_NETWORKING, description='"I am looking for…"'
    )
    offers: list[Phrase] | None = Field(
        default=None, max_length=MAX_NETWORKING, description='"I can help with…"'
    )
    visibility: Visibility | None = Field(
        default=None,
        description="Who sees my profile: members of my communities, or the whole platform.",
    )

    @model_validator(mode="after")
    def _nullable_only_where_clearable(self) -> Self:
        required = {"display_name", "locale", "timezone", "visibility"}
        required |= {"skills", "interests", "links", "asks", "offers"}
        nulls = sorted(n for n in self.model_fields_set & required if getattr(self, n) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null (send [] to empty a list)")
        return self

    def changes(self) -> dict[str, Any]:
        """Only the fields the client sent, in domain terms."""
        changes: dict[str, Any] = {n: getattr(self, n) for n in self.model_fields_set}
        if self.links is not None and "links" in changes:
            changes["links"] = [Link(label=x.label, url=str(x.url)) for x in self.links]
        return changes


class LinkResponse(BaseModel):
    """A link shown on a profile."""

    label: str
    url: str


class ProfileResponse(BaseModel):
    """A member's profile as another member sees it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"user_id": "0b8f5c1e-…", **_EXAMPLE}]}
    )

    user_id: str
    display_name: str
    handle: str | None
    headline: str | None
    bio: str | None
    skills: list[str]
    interests: list[str]
    links: list[LinkResponse]
    city: str | None
    locale: Literal["it", "en"]
    timezone: str
    asks: list[str] = Field(description='"I am looking for…"')
    offers: list[str] = Field(description='"I can help with…"')

    @classmethod
    def of(cls, user: User) -> "ProfileResponse":
        """The shared view of ``user``'s profile."""
        return cls(**_fields(user))


class MyProfileResponse(ProfileResponse):
    """My own profile, with my visibility choice."""

    visibility: Visibility = Field(description="Who may read this profile.")

    @classmethod
    def of(cls, user: User) -> "MyProfileResponse":
        """``user``'s profile as its owner sees it."""
        return cls(**_fields(user), visibility=user.profile.visibility)


def _fields(user: User) -> dict[str, Any]:
    profile = user.profile
    return {
        "user_id": user.id,
        "display_name": user.display_name,
        "handle": profile.handle,
        "headline": profile.headline,
        "bio": profile.bio,
        "skills": list(profile.skills),
        "interests": list(profile.interests),
        "links": [LinkResponse(label=x.label, url=x.url) for x in profile.links],
        "city": profile.city,
        "locale": user.locale,
        "timezone": profile.timezone,
        "asks": list(profile.asks),
        "offers": list(profile.offers),
    }
