"""Request and response bodies of the resource library API."""

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from cerchia_chassis.text import Line, Text
from content.domain.library import Resource
from content.entrypoints.schemas import PersonOut

ResourceKind = Literal["article", "tool", "video", "book", "template", "podcast", "course", "note"]


class NewResourceRequest(BaseModel):
    """Share a link or a note."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Team Topologies",
                    "kind": "book",
                    "url": "https://teamtopologies.com/book",
                    "description": "Chapter 4 is **gold** for our discussion on platform teams.",
                    "tags": ["org-design"],
                }
            ]
        },
    )

    title: Line = Field(min_length=1, max_length=200)
    kind: ResourceKind
    url: AnyHttpUrl | None = Field(default=None, description="http(s) only.")
    description: Text | None = Field(default=None, max_length=5_000, description="Markdown.")
    tags: list[Line] = Field(default_factory=list, max_length=5)


class EditResourceRequest(BaseModel):
    """Change a resource you shared: only the fields sent change; `null` empties `url` or
    `description` (a resource keeps at least one of them)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"title": "Team Topologies (2nd edition)", "tags": ["org-design", "books"]},
                {"url": None, "description": "Notes from chapter 4, no link any more."},
            ]
        },
    )

    title: Line | None = Field(default=None, min_length=1, max_length=200)
    kind: ResourceKind | None = None
    url: AnyHttpUrl | None = Field(default=None, description="http(s) only; null removes it.")
    description: Text | None = Field(
        default=None, min_length=1, max_length=5_000, description="Markdown; null removes it."
    )
    tags: list[Line] | None = Field(default=None, max_length=5)


class ResourceOut(BaseModel):
    """A resource as a reader sees it."""

    id: str
    community_id: str
    title: str
    kind: str
    url: str | None
    description_markdown: str | None
    description_html: str | None = Field(description="Rendered and sanitized: safe as HTML.")
    tags: list[str]
    author: PersonOut | None = Field(description="None once the author was erased.")
    created_at: datetime
    edited_at: datetime | None
    useful_count: int
    useful_to_me: bool
    visibility: str = Field(description="visible, or hidden (shown to moderators only).")


def resource_out(resource: Resource, *, user_id: str, people: dict[str, PersonOut]) -> ResourceOut:
    """The response for one resource."""
    return ResourceOut(
        id=resource.id,
        community_id=resource.community_id,
        title=resource.title,
        kind=resource.kind,
        url=resource.url,
        description_markdown=resource.description.markdown if resource.description else None,
        description_html=resource.description.html if resource.description else None,
        tags=list(resource.tags),
        author=people.get(resource.author_id) if resource.author_id else None,
        created_at=resource.created_at,
        edited_at=resource.edited_at,
        useful_count=len(resource.useful_by),
        useful_to_me=user_id in resource.useful_by,
        visibility=resource.visibility.value,
    )


class ResourcePage(BaseModel):
    """A page of resources."""

    items: list[ResourceOut]
    next_cursor: str | None
