"""Logging in, refreshing and logging out: access tokens plus rotating refresh tokens."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cerchia_chassis.ports import Session
from cerchia_contracts.events.membership.sessions import (
    RevocationCause,
    SessionsRevoked,
    SessionsRevokedV1,
)
from membership.domain.account_errors import (
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
)
from membership.domain.sessions import (
    RefreshSession,
    Rejected,
    Reused,
    Rotation,
    parse_refresh_token,
)
from membership.domain.users import normalize_email
from membership.service.account_ports import AccessToken, AccessTokens, AccountPorts

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionTokens:
    """What a login or a refresh hands to the client."""

    user_id: str
    session_id: str
    access: AccessToken
    refresh_token: str
    refresh_expires_at: datetime


def login_keys(email: str, client_ip: str) -> list[tuple[str, str]]:
    """Throttle keys of a login attempt: the account (however spelled) and the address."""
    return [("login-account", normalize_email(email)), ("login-ip", client_ip)]


async def log_in(
    email: str,
    password: str,
    client_ip: str,
    *,
    ports: AccountPorts,
    now: datetime,
) -> SessionTokens:
    """Start a session; raise InvalidCredentials or Throttled."""
    hasher = ports.hasher
    # Counted before checking, so concurrent guesses cannot slip past the limit together.
    reservation = await ports.throttle.reserve(login_keys(email, client_ip), now)
    user = await ports.accounts.by_email(normalize_email(email))
    if user is None:
        await hasher.verify_absent(password)
        raise InvalidCredentials
    if not await hasher.verify(user.password_hash, password):
        raise InvalidCredentials
    await ports.throttle.succeeded(reservation)
    if hasher.needs_rehash(user.password_hash):
        # The hashing parameters were raised since this hash was made, and only now is the
        # password at hand to hash again; a password changed meanwhile keeps its newer hash.
        await ports.accounts.upgrade_password_hash(
            user.id, old_hash=user.password_hash, new_hash=await hasher.hash(password)
        )
    token, refresh = RefreshSession.start(user_id=user.id, now=now, ttl=ports.policy.refresh_ttl)
    await ports.sessions.add(refresh)
    return _tokens(refresh, token, ports.access_tokens, now)


async def refresh_session(token: str, *, ports: AccountPorts, now: datetime) -> SessionTokens:
    """Rotate the refresh token; raise InvalidRefreshToken (RefreshTokenReused on replay)."""
    session_id, secret = parse_refresh_token(token)

    async def work(session: Session) -> Rotation:
        found = await ports.sessions.get(session_id, session)
        if found is None:
            raise InvalidRefreshToken("unknown")
        outcome = found.rotate(secret, now=now, ttl=ports.policy.refresh_ttl)
        if not isinstance(outcome, Rejected):
            # Rotation and revocation both write the session document, so two refreshes
            # racing with one token conflict, and the retried one sees the reuse.
            await ports.sessions.save(outcome.session, session)
        if isinstance(outcome, Reused):
            # The replayed token may be the thief's or the owner's: the session's access
            # tokens die everywhere, not only its refresh token.
            await ports.outbox.add(
                session,
                sessions_revoked(
                    outcome.session.user_id, (outcome.session.id,), "refresh_token_reused", now
                ),
            )
        return outcome

    outcome = await ports.transactions.run(work)
    ports.outbox.committed()
    if isinstance(outcome, Reused):
        logger.warning(
            "refresh token reuse: session %s of user %s revoked",
            outcome.session.id,
            outcome.session.user_id,
        )
        raise RefreshTokenReused
    if isinstance(outcome, Rejected):
        raise InvalidRefreshToken(outcome.reason)
    return _tokens(outcome.session, outcome.token, ports.access_tokens, now)


async def log_out(token: str, *, ports: AccountPorts, now: datetime) -> None:
    """End the session the refresh token belongs to; unknown tokens are ignored (RFC 7009)."""
    try:
        session_id, secret = parse_refresh_token(token)
    except InvalidRefreshToken:
        return

    async def work(session: Session) -> None:
        found = await ports.sessions.get(session_id, session)
        if found is None or not found.holds(secret) or found.revoked:
            return
        await ports.sessions.save(found.revoke(now, "logout"), session)
        await ports.outbox.add(session, sessions_revoked(found.user_id, (found.id,), "logout", now))

    await ports.transactions.run(work)
    ports.outbox.committed()


async def log_out_everywhere(user_id: str, *, ports: AccountPorts, now: datetime) -> None:
    """End every session of the user on every device (a lost phone, a shared computer); their
    access tokens are refused everywhere within seconds (``membership.sessions.v1``)."""

    async def work(session: Session) -> None:
        ended = await ports.sessions.revoke_all(
            user_id, now=now, reason="logout_all", session=session
        )
        await ports.outbox.add(session, sessions_revoked(user_id, ended, "logout_everywhere", now))

    await ports.transactions.run(work)
    ports.outbox.committed()


def sessions_revoked(
    user_id: str,
    session_ids: Sequence[str],
    cause: RevocationCause,
    now: datetime,
    *,
    all_before: datetime | None = None,
) -> SessionsRevokedV1:
    """The announcement that makes every token verifier refuse these sessions' access tokens
    (and, with ``all_before``, every token of the user issued until then)."""
    return SessionsRevokedV1.new(
        subject=user_id,
        time=now,
        data=SessionsRevoked(
            user_id=user_id,
            session_ids=tuple(session_ids),
            all_before=all_before,
            cause=cause,
        ),
    )


def _tokens(
    refresh: RefreshSession, token: str, access_tokens: AccessTokens, now: datetime
) -> SessionTokens:
    return SessionTokens(
        user_id=refresh.user_id,
        session_id=refresh.id,
        access=access_tokens.issue(user_id=refresh.user_id, session_id=refresh.id, now=now),
        refresh_token=token,
        refresh_expires_at=refresh.expires_at,
    )
