"""Request and response bodies of roles, removals, bans, the audit log and the directory."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cerchia_chassis.domain.cursors import Page
from cerchia_chassis.text import Line, Text
from membership.domain.audit import AuditEntry
from membership.domain.directory import Listing
from membership.domain.memberships import Membership
from membership.entrypoints import examples

Role = Literal["owner", "moderator", "member"]


class ChangeRole(BaseModel):
    """Owner only: promote, demote, or hand ownership over (``owner``)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"role": "moderator"}]}
    )

    role: Role


class Removal(BaseModel):
    """Remove a member, with the reason recorded."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Repeated self-promotion."}]}
    )

    reason: Text = Field(min_length=1, max_length=1000, pattern=r"\S")


class Ban(BaseModel):
    """Ban a person (member or not): they cannot apply, be invited or rejoin."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"user_id": examples.MEMBER, "reason": "Harassment."}]},
    )

    user_id: Line = Field(min_length=1, max_length=64)
    reason: Text = Field(min_length=1, max_length=1000, pattern=r"\S")


class LiftBan(BaseModel):
    """Lift a ban, with the reason recorded; the person may then apply, be invited or join."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Apologised; a second chance."}]},
    )

    reason: Text = Field(min_length=1, max_length=1000, pattern=r"\S")


class RoleOut(BaseModel):
    """A member's role after the change."""

    user_id: str
    role: Role


class RolesOut(BaseModel):
    """Every role the change touched (two for an ownership transfer)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ROLES]})

    items: list[RoleOut]

    @classmethod
    def of(cls, changed: list[Membership]) -> "RolesOut":
        """The members whose role changed, with their new role."""
        return cls(items=[RoleOut(user_id=m.user_id, role=m.role or "member") for m in changed])


class BanOut(BaseModel):
    """A recorded ban."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.BAN]})

    community_id: str
    user_id: str
    reason: str
    banned_at: datetime

    @classmethod
    def of(cls, banned: Membership) -> "BanOut":
        """From the banned standing, which records the reason."""
        return cls(
            community_id=banned.community_id,
            user_id=banned.user_id,
            reason=banned.reason or "",
            banned_at=banned.since,
        )


class BanLiftedOut(BaseModel):
    """A lifted ban: the person is a former member, free to come back through admission."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.BAN_LIFTED]})

    community_id: str
    user_id: str
    reason: str
    lifted_at: datetime

    @classmethod
    def of(cls, lifted: Membership, *, reason: str) -> "BanLiftedOut":
        """From the former member's standing and the reason given (as the audit log has it)."""
        return cls(
            community_id=lifted.community_id,
            user_id=lifted.user_id,
            reason=reason.strip(),
            lifted_at=lifted.since,
        )


class AuditEntryOut(BaseModel):
    """A moderation or admission decision."""

    id: str
    action: str
    actor_id: str | None
    subject_id: str | None
    reason: str | None
    at: datetime
    details: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEntry) -> "AuditEntryOut":
        """From the domain entry."""
        return cls(
            id=e.id,
            action=e.action,
            actor_id=e.actor_id,
            subject_id=e.subject_id,
            reason=e.reason,
            at=e.at,
            details=e.details,
        )


class AuditPage(BaseModel):
    """A page of the audit log, newest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.AUDIT_PAGE]})

    items: list[AuditEntryOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[AuditEntry]) -> "AuditPage":
        """From a page of the domain's items."""
        return cls(items=[AuditEntryOut.of(x) for x in page.items], next_cursor=page.next_cursor)


class DirectoryEntry(BaseModel):
    """A member as fellow members see them."""

    user_id: str
    display_name: str
    handle: str | None
    headline: str | None
    city: str | None
    skills: list[str]
    interests: list[str]
    role: Role
    joined_at: datetime

    @classmethod
    def of(cls, listing: Listing) -> "DirectoryEntry":
        """From the domain listing."""
        p = listing.profile
        return cls(
            user_id=p.user_id,
            display_name=p.display_name,
            handle=p.handle,
            headline=p.headline,
            city=p.city,
            skills=list(p.skills),
            interests=list(p.interests),
            role=listing.role,
            joined_at=listing.joined_at,
        )


class DirectoryPage(BaseModel):
    """A page of the directory, by name."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.DIRECTORY_PAGE]})

    items: list[DirectoryEntry]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[Listing]) -> "DirectoryPage":
        """From a page of the domain's items."""
        return cls(items=[DirectoryEntry.of(x) for x in page.items], next_cursor=page.next_cursor)
