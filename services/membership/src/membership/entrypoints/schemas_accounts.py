"""Request and response bodies of the membership API."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr

from cerchia_chassis.text import Line, NewSecret, Text
from membership.domain.users import User
from membership.service.registration import Registration


class RegisterRequest(BaseModel):
    """Create an account."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "ada@example.org",
                    "password": "correct horse battery",
                    "display_name": "Ada Lovelace",
                    "locale": "en",
                    "timezone": "Europe/London",
                }
            ]
        },
    )

    email: EmailStr = Field(description="Login and contact address.", max_length=254)
    password: NewSecret = Field(
        min_length=10, max_length=256, description="At least 10 characters."
    )
    display_name: Line = Field(
        min_length=1, max_length=80, pattern=r"\S", description="Name shown to other members."
    )
    locale: Literal["it", "en"] = Field(default="it", description="Language for messages.")
    timezone: Line | None = Field(
        default=None,
        max_length=64,
        description="IANA time zone for times in emails and notifications; send the browser's "
        "(`Intl.DateTimeFormat().resolvedOptions().timeZone`). UTC when omitted; an unknown "
        "zone is 422 `invalid-profile`.",
    )

    def registration(self) -> Registration:
        """What the registration use case takes."""
        return Registration(
            email=str(self.email),
            password=self.password.get_secret_value(),
            display_name=self.display_name,
            locale=self.locale,
            timezone=self.timezone,
        )


class UserResponse(BaseModel):
    """A user account as its owner sees it."""

    id: str
    email: str
    email_verified: bool = Field(description="Whether the owner proved they own the address.")
    display_name: str
    locale: Literal["it", "en"]
    created_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b8f5c1e-4a55-4a36-9d0e-2f1c7e0f6a11",
                    "email": "ada@example.org",
                    "email_verified": False,
                    "display_name": "Ada Lovelace",
                    "locale": "en",
                    "created_at": "2025-05-04T09:30:00Z",
                }
            ]
        }
    )

    @classmethod
    def of(cls, user: User) -> "UserResponse":
        """The account as its owner sees it."""
        return cls(
            id=user.id,
            email=user.email,
            email_verified=user.email_verified,
            display_name=user.display_name,
            locale=user.locale,
            created_at=user.created_at,
        )


class EraseRequest(BaseModel):
    """Confirm the erasure of my account with my password."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"password": "correct horse battery"}]}
    )

    # The password in use, as it is (not a NewSecret): confirming must not refuse it.
    password: SecretStr = Field(min_length=1, max_length=256, description="Current password.")


class DisableRequest(BaseModel):
    """Why an operator disables an account (kept with it, for the audit)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Compromised account."}]}
    )

    reason: Text = Field(min_length=1, max_length=500, pattern=r"\S", description="Why.")


class AccountStatusResponse(BaseModel):
    """Whether an account is disabled, as operators see it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": "0b8f5c1e-4a55-4a36-9d0e-2f1c7e0f6a11",
                    "disabled": True,
                    "disabled_at": "2025-05-04T09:30:00Z",
                    "reason": "Compromised account.",
                }
            ]
        }
    )

    user_id: str
    disabled: bool
    disabled_at: datetime | None = Field(description="Since when, while disabled.")
    reason: str | None = Field(description="The operator's reason, while disabled.")

    @classmethod
    def of(cls, user: User) -> "AccountStatusResponse":
        """The account's standing."""
        return cls(
            user_id=user.id,
            disabled=user.disabled,
            disabled_at=user.disabled_at,
            reason=user.disabled_reason,
        )


class OwnedCommunityOutcome(BaseModel):
    """What erasing my account does to a community I own."""

    community_id: str
    community_name: str
    outcome: Literal["handed_over", "archived"] = Field(
        description="`handed_over`: its longest-serving moderator becomes the owner; "
        "`archived`: it has no moderator, so it is archived (read-only) with no owner."
    )
    new_owner_id: str | None = Field(description="The moderator who would become the owner.")


class ErasurePreview(BaseModel):
    """Read before confirming `DELETE /api/v1/users/me`: what it does beyond my own data.
    Every member of these communities is told when it happens."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "communities": [
                        {
                            "community_id": "c-1",
                            "community_name": "Lettori",
                            "outcome": "handed_over",
                            "new_owner_id": "u-2",
                        }
                    ]
                }
            ]
        }
    )

    communities: list[OwnedCommunityOutcome] = Field(
        description="The communities I own, each with what would happen to it."
    )
