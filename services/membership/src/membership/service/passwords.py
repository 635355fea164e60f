"""Changing a password, and resetting a forgotten one through a single-use emailed link."""

from datetime import datetime
from typing import Literal

from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events.membership import (
    PasswordChanged,
    PasswordChangedV1,
    PasswordResetRequested,
    PasswordResetRequestedV2,
)
from membership.domain.account_errors import InvalidOneTimeToken, UserNotFound, WrongPassword
from membership.domain.credentials import OneTimeToken, digest
from membership.domain.users import User, normalize_email
from membership.service.account_ports import AccountPorts
from membership.service.ports import seal_token
from membership.service.sessions import sessions_revoked
from membership.service.verification import email_verified


async def confirm_password(
    user: User, password: str, *, ports: AccountPorts, now: datetime
) -> None:
    """Check the password before a sensitive action; raise WrongPassword or Throttled.

    Shares the login counter of the account, so a stolen access token cannot be used to guess.
    """
    reservation = await ports.throttle.reserve([("login-account", user.email)], now)
    if not await ports.hasher.verify(user.password_hash, password):
        raise WrongPassword
    await ports.throttle.succeeded(reservation)


async def change_password(
    user_id: str,
    current_session_id: str | None,
    current_password: str,
    new_password: str,
    *,
    ports: AccountPorts,
    now: datetime,
) -> None:
    """Replace the password and end every other session; raise WrongPassword or Throttled.

    The owner is told by email (``password_changed``), so a takeover does not go unnoticed.
    """
    user = await ports.accounts.by_id(user_id)
    if user is None:
        raise UserNotFound(user_id)
    await confirm_password(user, current_password, ports=ports, now=now)
    new_hash = await ports.hasher.hash(new_password)

    async def work(session: Session) -> None:
        current = await ports.accounts.by_id(user_id, session)
        if current is None:
            raise UserNotFound(user_id)
        await ports.accounts.save(current.with_password(new_hash), session)
        ended = await ports.sessions.revoke_all(
            user_id, now=now, reason="password_changed", session=session, keep=current_session_id
        )
        await ports.outbox.add(session, sessions_revoked(user_id, ended, "password_changed", now))
        await ports.outbox.add(session, password_changed(user_id, "changed", now))

    await ports.transactions.run(work)
    ports.outbox.committed()


def password_changed(user_id: str, cause: Literal["changed", "reset"], now: datetime) -> AnyEvent:
    """The event that tells the account's owner their password changed."""
    return PasswordChangedV1.new(
        subject=user_id, time=now, data=PasswordChanged(user_id=user_id, cause=cause)
    )


async def request_password_reset(
    email: str, client_ip: str, *, ports: AccountPorts, now: datetime
) -> None:
    """Mail a reset link if the account exists; say nothing either way. Raise Throttled."""
    address = normalize_email(email)
    await ports.throttle.reserve(
        [("token-request-account", address), ("token-request-ip", client_ip)], now
    )
    user = await ports.accounts.by_email(address)
    if user is None:
        return
    secret, record = OneTimeToken.issue(
        purpose="reset_password",
        user_id=user.id,
        email=user.email,
        now=now,
        ttl=ports.policy.password_reset_ttl,
    )
    event = PasswordResetRequestedV2.new(
        subject=user.id,
        time=now,
        data=PasswordResetRequested(
            user_id=user.id,
            email=user.email,
            display_name=user.display_name,
            locale=user.locale,
            token=seal_token(
                ports.sealer,
                secret,
                event_type=PasswordResetRequestedV2.event_type(),
                subject=user.id,
            ),
            expires_at=record.expires_at,
        ),
    )

    async def work(session: Session) -> None:
        await ports.tokens.replace(record, session)
        await ports.outbox.add(session, event)

    await ports.transactions.run(work)
    ports.outbox.committed()


async def reset_password(
    token: str, new_password: str, *, ports: AccountPorts, now: datetime
) -> None:
    """Set a new password with a reset token and end every session; raise InvalidOneTimeToken.

    The link reached the mailbox, which proves the address too: an unverified one is verified.
    """
    new_hash = await ports.hasher.hash(new_password)

    async def work(session: Session) -> None:
        record = await ports.tokens.take(digest(token), "reset_password", session)
        if record is None:
            raise InvalidOneTimeToken
        user = await ports.accounts.by_id(record.user_id, session)
        if user is None or not record.usable(purpose="reset_password", email=user.email, now=now):
            raise InvalidOneTimeToken
        updated = user.with_password(new_hash).verified(now)
        await ports.accounts.save(updated, session)
        ended = await ports.sessions.revoke_all(
            user.id, now=now, reason="password_reset", session=session
        )
        await ports.outbox.add(session, sessions_revoked(user.id, ended, "password_reset", now))
        if not user.email_verified:
            await ports.outbox.add(session, email_verified(updated, now))
        await ports.outbox.add(session, password_changed(user.id, "reset", now))

    await ports.transactions.run(work)
    ports.outbox.committed()
