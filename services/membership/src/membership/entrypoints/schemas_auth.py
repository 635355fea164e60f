"""Request and response bodies of the authentication API."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr

from cerchia_chassis.text import Line, NewSecret
from membership.service.sessions import SessionTokens


class LoginRequest(BaseModel):
    """Email and password."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"email": "ada@example.org", "password": "correct horse battery"}]
        },
    )

    email: EmailStr = Field(max_length=254, description="The account's email address.")
    # Not a NewSecret: a login must not refuse a password an account already has.
    password: SecretStr = Field(min_length=1, max_length=256, description="The password.")


class RefreshRequest(BaseModel):
    """A refresh token to exchange (it stops working; use the new one returned)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"refresh_token": "7d1c0b7e-3f0e-4f55-9a8e-1f2d3c4b5a69.q8Xz…"}]
        },
    )

    refresh_token: Line = Field(min_length=1, max_length=512, description="Opaque refresh token.")


class LogoutRequest(RefreshRequest):
    """The refresh token of the session to end."""


class TokenResponse(BaseModel):
    """A new access token and the refresh token that replaces the previous one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6…",
                    "token_type": "Bearer",
                    "expires_in": 900,
                    "refresh_token": "7d1c0b7e-3f0e-4f55-9a8e-1f2d3c4b5a69.q8Xz…",
                    "refresh_expires_at": "2025-06-03T09:30:00Z",
                    "user_id": "0b8f5c1e-4a55-4a36-9d0e-2f1c7e0f6a11",
                }
            ]
        }
    )

    access_token: str = Field(description="EdDSA-signed JWT (typ at+jwt) for the Bearer header.")
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name
    expires_in: int = Field(description="Seconds the access token stays valid.")
    refresh_token: str = Field(description="Single-use refresh token; rotated on every refresh.")
    refresh_expires_at: datetime = Field(description="When the session ends without a refresh.")
    user_id: str = Field(description="The signed-in user.")

    @classmethod
    def of(cls, tokens: SessionTokens) -> "TokenResponse":
        """What a login or a refresh hands to the client."""
        return cls(
            access_token=tokens.access.token,
            expires_in=tokens.access.expires_in,
            refresh_token=tokens.refresh_token,
            refresh_expires_at=tokens.refresh_expires_at,
            user_id=tokens.user_id,
        )


class TokenRequest(BaseModel):
    """A single-use token from an emailed link."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"token": "nq5V2o3vR0Yp…"}]}
    )

    token: Line = Field(min_length=1, max_length=256, description="The token from the link.")


class PasswordResetRequest(BaseModel):
    """Ask for a password-reset link."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "ada@example.org"}]}
    )

    email: EmailStr = Field(max_length=254, description="The account's email address.")


class PasswordResetConfirmation(BaseModel):
    """Set a new password with the token from the reset link."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"token": "nq5V2o3vR0Yp…", "new_password": "a new long passphrase"}]
        },
    )

    token: Line = Field(min_length=1, max_length=256, description="The token from the link.")
    new_password: NewSecret = Field(
        min_length=10, max_length=256, description="At least 10 characters."
    )


class PasswordChange(BaseModel):
    """Replace my password; every other session ends."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "current_password": "correct horse battery",
                    "new_password": "a new long passphrase",
                }
            ]
        },
    )

    # The password in use is taken as it is (it may predate NewSecret); the new one is checked.
    current_password: SecretStr = Field(
        min_length=1, max_length=256, description="The password in use now."
    )
    new_password: NewSecret = Field(
        min_length=10, max_length=256, description="At least 10 characters."
    )
