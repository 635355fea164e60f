"""Membership settings, read once from ``MEMBERSHIP_*`` environment variables."""

from datetime import timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cerchia_chassis.settings import ServiceSettings


class MembershipSettings(ServiceSettings):
    """Settings of the membership service."""

    model_config = SettingsConfigDict(env_prefix="MEMBERSHIP_", extra="ignore", frozen=True)

    service_name: str = "membership"
    http_port: int = 8001

    signing_key_file: Path | None = Field(
        default=None,
        description=(
            "Ed25519 private key (PKCS#8 PEM) that signs access tokens; created when missing. "
            "Without it each process generates its own key, which only suits one-process setups."
        ),
    )

    published_keys_file: Path | None = Field(
        default=None,
        description=(
            "Ed25519 public keys (PEM, one after another) published in the JWKS beside the "
            "signing key's: the next key before a rotation, so every verifier knows it before "
            "the first token it signs; the previous key after one, until the last token it "
            "signed has expired (docs/operations.md, 'Rotating the signing key')."
        ),
    )

    token_sealing_key: str | None = Field(
        default=None,
        description=(
            "The notifications service's public sealing key (X25519, base64url): every "
            "verification, reset and invitation token is sealed to it before it leaves. "
            "Required: the service does not start without it."
        ),
    )

    # Accounts and sessions. Durations accept seconds or ISO 8601 (e.g. PT15M, P30D).
    access_token_ttl: timedelta = Field(
        default=timedelta(minutes=15), description="Lifetime of access tokens."
    )
    refresh_token_ttl: timedelta = Field(
        default=timedelta(days=30),
        description="A session ends after this long without a refresh (each refresh renews it).",
    )
    email_verification_ttl: timedelta = Field(
        default=timedelta(hours=48), description="How long an email-verification link works."
    )
    password_reset_ttl: timedelta = Field(
        default=timedelta(hours=1), description="How long a password-reset link works."
    )
    login_window: timedelta = Field(
        default=timedelta(minutes=15), description="Sliding window of the login throttles."
    )
    login_account_limit: int = Field(
        default=5, ge=1, description="Failed logins per account per window before a 429."
    )
    login_ip_limit: int = Field(
        default=50, ge=1, description="Failed logins per client address per window before a 429."
    )
    token_request_window: timedelta = Field(
        default=timedelta(hours=1),
        description="Sliding window of the limits on verification and reset emails.",
    )
    token_request_account_limit: int = Field(
        default=5, ge=1, description="Verification/reset emails per account per window."
    )
    token_request_ip_limit: int = Field(
        default=20, ge=1, description="Verification/reset requests per client address per window."
    )

    operator_ids: frozenset[str] = Field(
        default=frozenset(),
        description=(
            "User ids of the platform's operators, who may disable and enable accounts "
            '(a JSON list, e.g. ["4f1c…"]); empty by default, so nobody.'
        ),
    )

    # Communities: admission timings.
    seat_offer_ttl: timedelta = Field(
        default=timedelta(hours=48),
        gt=timedelta(0),
        description="How long a seat offered to the head of a waitlist is held.",
    )
    seat_offer_sweep_interval_s: float = Field(
        default=30.0, gt=0, description="How often lapsed seat offers are looked for."
    )
    seat_offer_sweep_batch: int = Field(
        default=100, ge=1, description="Lapsed offers closed per sweep step."
    )
    search_index_interval_s: float = Field(
        default=300.0,
        gt=0,
        description="How often communities stored before discovery searched words are looked "
        "for, to give them their search terms.",
    )
    invitation_ttl: timedelta = Field(
        default=timedelta(days=7),
        gt=timedelta(0),
        description="Default lifetime of an invitation link.",
    )
    export_wait: timedelta = Field(
        default=timedelta(minutes=10),
        gt=timedelta(0),
        description="How long a personal-data export waits for every service's part; then it "
        "is finished as partial, naming what is missing.",
    )
    export_keep_for: timedelta = Field(
        default=timedelta(days=7),
        gt=timedelta(0),
        description="How long a finished export's archive may be downloaded before it is deleted.",
    )
    export_contributors: tuple[str, ...] = Field(
        default=("content", "events", "notifications"),
        description="The services asked for their part of each personal-data export (membership "
        "adds its own).",
    )
    export_sweep_interval_s: float = Field(
        default=15.0, gt=0, description="How often exports past their deadline are looked for."
    )
