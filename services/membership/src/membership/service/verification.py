"""Proving ownership of the email address: a single-use link, mailed by notifications."""

from datetime import datetime

from cerchia_chassis.ports import Session
from cerchia_contracts.events.membership import (
    EmailVerificationRequested,
    EmailVerificationRequestedV2,
    EmailVerified,
    EmailVerifiedV1,
)
from membership.domain.account_errors import (
    EmailAlreadyVerified,
    InvalidOneTimeToken,
    UserNotFound,
)
from membership.domain.credentials import OneTimeToken, digest
from membership.domain.users import User
from membership.service.account_ports import AccountPorts
from membership.service.ports import seal_token


async def request_verification(
    user: User, session: Session, *, ports: AccountPorts, now: datetime
) -> None:
    """In the caller's transaction: store a fresh token (earlier ones stop working) and queue
    the email that carries it, sealed."""
    secret, record = OneTimeToken.issue(
        purpose="verify_email",
        user_id=user.id,
        email=user.email,
        now=now,
        ttl=ports.policy.email_verification_ttl,
    )
    await ports.tokens.replace(record, session)
    await ports.outbox.add(
        session,
        EmailVerificationRequestedV2.new(
            subject=user.id,
            data=EmailVerificationRequested(
                user_id=user.id,
                email=user.email,
                display_name=user.display_name,
                locale=user.locale,
                token=seal_token(
                    ports.sealer,
                    secret,
                    event_type=EmailVerificationRequestedV2.event_type(),
                    subject=user.id,
                ),
                expires_at=record.expires_at,
            ),
        ),
    )


async def resend_verification(
    user_id: str, client_ip: str, *, ports: AccountPorts, now: datetime
) -> None:
    """Send a new link; raise EmailAlreadyVerified, Throttled or UserNotFound."""
    user = await ports.accounts.by_id(user_id)
    if user is None:
        raise UserNotFound(user_id)
    if user.email_verified:
        raise EmailAlreadyVerified
    # Every request counts: each one sends an email, which must not become a mail bomb.
    await ports.throttle.reserve(
        [("token-request-account", user.email), ("token-request-ip", client_ip)], now
    )

    async def work(session: Session) -> None:
        current = await ports.accounts.by_id(user_id, session)
        if current is None:
            raise UserNotFound(user_id)
        if current.email_verified:
            raise EmailAlreadyVerified
        await request_verification(current, session, ports=ports, now=now)

    await ports.transactions.run(work)
    ports.outbox.committed()


async def verify_email(token: str, *, ports: AccountPorts, now: datetime) -> User:
    """Consume the token and mark the address verified; raise InvalidOneTimeToken."""

    async def work(session: Session) -> User:
        record = await ports.tokens.take(digest(token), "verify_email", session)
        if record is None:
            raise InvalidOneTimeToken
        user = await ports.accounts.by_id(record.user_id, session)
        if user is None or not record.usable(purpose="verify_email", email=user.email, now=now):
            raise InvalidOneTimeToken
        if user.email_verified:
            return user
        verified = user.verified(now)
        await ports.accounts.save(verified, session)
        await ports.outbox.add(session, email_verified(verified, now))
        return verified

    user = await ports.transactions.run(work)
    ports.outbox.committed()
    return user


def email_verified(user: User, now: datetime) -> EmailVerifiedV1:
    """The event announcing that ``user`` owns their address."""
    return EmailVerifiedV1.new(
        subject=user.id, time=now, data=EmailVerified(user_id=user.id, email=user.email)
    )
