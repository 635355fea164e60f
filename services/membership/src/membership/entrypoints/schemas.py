"""Request and response bodies of the membership API."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr


class RegisterRequest(BaseModel):
    """Create an account."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(description="Login and contact address.", max_length=254)
    password: SecretStr = Field(
        min_length=10, max_length=256, description="At least 10 characters."
    )
    display_name: str = Field(
        min_length=1, max_length=80, pattern=r"\S", description="Name shown to other members."
    )
    locale: Literal["it", "en"] = Field(default="it", description="Language for messages.")


class UserResponse(BaseModel):
    """A user account as its owner sees it."""

    id: str
    email: str
    display_name: str
    locale: Literal["it", "en"]
    created_at: datetime
