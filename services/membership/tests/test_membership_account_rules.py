"""Account rules without I/O: refresh rotation, throttling, handles, profiles, visibility."""

from datetime import UTC, datetime, timedelta

import pytest

from membership.domain.account_errors import InvalidProfile, InvalidRefreshToken
from membership.domain.credentials import OneTimeToken, digest
from membership.domain.profiles import Link, Profile, can_view, edited, normalize_handle
from membership.domain.sessions import (
    RefreshSession,
    Rejected,
    Reused,
    Rotated,
    parse_refresh_token,
)
from membership.domain.throttling import ThrottlePolicy

pytestmark = pytest.mark.unit

NOW = datetime(2025, 5, 4, 9, 0, tzinfo=UTC)
TTL = timedelta(days=30)


def started() -> tuple[str, RefreshSession]:
    return RefreshSession.start(user_id="u1", now=NOW, ttl=TTL)


def secret_of(token: str) -> str:
    return parse_refresh_token(token)[1]


# --- refresh rotation ---------------------------------------------------------------------


def test_a_refresh_token_names_its_session_and_only_its_digest_is_kept() -> None:
    token, session = started()
    session_id, secret = parse_refresh_token(token)
    assert session_id == session.id
    assert session.current_digest == digest(secret)
    assert secret not in repr(session)


def test_rotation_issues_a_new_token_and_renews_the_expiry() -> None:
    token, session = started()
    later = NOW + timedelta(days=10)
    outcome = session.rotate(secret_of(token), now=later, ttl=TTL)
    assert isinstance(outcome, Rotated)
    assert outcome.token != token
    assert outcome.session.expires_at == later + TTL
    assert outcome.session.generation == 1
    assert outcome.session.holds(secret_of(outcome.token))
    assert not outcome.session.holds(secret_of(token))


def test_reusing_a_rotated_token_revokes_the_whole_family() -> None:
    first, session = started()
    rotated = session.rotate(secret_of(first), now=NOW, ttl=TTL)
    assert isinstance(rotated, Rotated)

    replay = rotated.session.rotate(secret_of(first), now=NOW + timedelta(minutes=1), ttl=TTL)
    assert isinstance(replay, Reused)
    assert replay.session.revoked_reason == "reuse"
    # The legitimate holder's newer token dies with the family.
    after = replay.session.rotate(secret_of(rotated.token), now=NOW, ttl=TTL)
    assert isinstance(after, Rejected)
    assert after.reason == "revoked"


def test_an_expired_or_logged_out_session_cannot_be_refreshed() -> None:
    token, session = started()
    expired = session.rotate(secret_of(token), now=NOW + TTL, ttl=TTL)
    assert isinstance(expired, Rejected)
    assert expired.reason == "expired"
    out = session.revoke(NOW, "logout")
    assert isinstance(out.rotate(secret_of(token), now=NOW, ttl=TTL), Rejected)
    assert out.revoke(NOW + timedelta(hours=1), "reuse").revoked_reason == "logout"


@pytest.mark.parametrize(
    "raw", ["", "abc", "not-a-uuid.secret", "0b8f5c1e-4a55-4a36-9d0e-2f1c7e0f6a11."]
)
def test_malformed_refresh_tokens_are_refused(raw: str) -> None:
    with pytest.raises(InvalidRefreshToken):
        parse_refresh_token(raw)


# --- single-use tokens ----------------------------------------------------------------------


def test_a_one_time_token_is_stored_hashed_and_bound_to_purpose_address_and_time() -> None:
    secret, record = OneTimeToken.issue(
        purpose="verify_email", user_id="u1", email="a@b.it", now=NOW, ttl=timedelta(hours=1)
    )
    assert record.digest == digest(secret) != secret
    assert record.usable(purpose="verify_email", email="a@b.it", now=NOW)
    assert not record.usable(purpose="reset_password", email="a@b.it", now=NOW)
    assert not record.usable(purpose="verify_email", email="new@b.it", now=NOW)
    assert not record.usable(purpose="verify_email", email="a@b.it", now=NOW + timedelta(hours=1))


# --- throttling windows ---------------------------------------------------------------------

WINDOW = timedelta(minutes=15)
POLICY = ThrottlePolicy(limit=3, window=WINDOW)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def test_attempts_below_the_limit_pass() -> None:
    assert POLICY.retry_after([ago(1), ago(2)], NOW) is None
    assert POLICY.retry_after([], NOW) is None


def test_the_attempt_past_the_limit_waits_until_the_oldest_counted_one_leaves_the_window() -> None:
    # Three attempts 10, 4 and 1 minutes ago: one more fits when the 10-minute one is 15 old.
    assert POLICY.retry_after([ago(4), ago(10), ago(1)], NOW) == timedelta(minutes=5)
    assert POLICY.retry_after([ago(4), ago(10), ago(1)], NOW + timedelta(minutes=5)) is None


def test_only_the_latest_attempts_matter_and_old_ones_are_forgotten() -> None:
    # Of five attempts, the three most recent decide: the oldest of them is 6 minutes old.
    history = [ago(20), ago(14), ago(6), ago(3), ago(2)]
    assert POLICY.retry_after(history, NOW) == timedelta(minutes=9)
    assert POLICY.retry_after([ago(16), ago(20), ago(30), ago(1)], NOW) is None


def test_the_wait_is_rounded_up_to_whole_seconds() -> None:
    wait = POLICY.retry_after([ago(14.99), ago(1), ago(1)], NOW)
    assert wait == timedelta(seconds=1)


# --- handles and profiles -------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "handle"), [("@Ada", "ada"), (" ada_l99 ", "ada_l99")])
def test_handles_are_canonical_lower_case(raw: str, handle: str) -> None:
    assert normalize_handle(raw) == handle


@pytest.mark.parametrize("raw", ["ab", "9lives", "ada-l", "a" * 31, "ada lovelace", "admin", "@me"])
def test_bad_or_reserved_handles_are_refused(raw: str) -> None:
    with pytest.raises(InvalidProfile) as error:
        normalize_handle(raw)
    assert "handle" in error.value.errors


def test_editing_normalises_lists_and_text_and_keeps_untouched_fields() -> None:
    profile = Profile(headline="Engineer", city="Rome")
    result = edited(
        profile,
        {
            "skills": ["Python", " python ", "Data   science", ""],
            "city": "  ",
            "bio": " Line one\nLine two ",
            "timezone": "America/New_York",
        },
    )
    assert result.skills == ("Python", "Data science")
    assert result.city is None
    assert result.bio == "Line one\nLine two"
    assert result.headline == "Engineer"
    assert result.timezone == "America/New_York"


def test_editing_reports_every_broken_field_at_once() -> None:
    with pytest.raises(InvalidProfile) as error:
        edited(
            Profile(),
            {
                "timezone": "Mars/Olympus",
                "links": [Link(label="x", url="javascript:alert(1)")],
                "asks": [f"ask {i}" for i in range(11)],
            },
        )
    assert set(error.value.errors) == {"timezone", "links", "asks"}


def test_visibility_members_of_my_communities_or_the_platform() -> None:
    assert can_view(viewer_id="a", owner_id="a", visibility="communities", share_a_community=False)
    assert can_view(viewer_id="b", owner_id="a", visibility="platform", share_a_community=False)
    assert can_view(viewer_id="b", owner_id="a", visibility="communities", share_a_community=True)
    assert not can_view(
        viewer_id="b", owner_id="a", visibility="communities", share_a_community=False
    )
