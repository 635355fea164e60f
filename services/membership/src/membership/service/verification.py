"""Proving ownership of the email address: a single-use link, mailed by notifications."""

from datetime import datetime, timedelta

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
from membership.service.account_ports import Accounts, AttemptThrottle, OneTimeTokens
from membership.service.ports import EventOutbox, Session, TokenSealer, Transactions, seal_token


class EmailVerification:
    """Requests the verification email; as a registration participant, in that transaction."""

    def __init__(
        self, *, tokens: OneTimeTokens, outbox: EventOutbox, sealer: TokenSealer, ttl: timedelta
    ) -> None:
        self._tokens = tokens
        self._outbox = outbox
        self._sealer = sealer
        self._ttl = ttl

    async def request(self, user: User, session: Session, *, now: datetime) -> None:
        """Store a fresh token (earlier ones stop working) and queue the email."""
        secret, record = OneTimeToken.issue(
            purpose="verify_email", user_id=user.id, email=user.email, now=now, ttl=self._ttl
        )
        await self._tokens.replace(record, session)
        await self._outbox.add(
            session,
            EmailVerificationRequestedV2.new(
                subject=user.id,
                data=EmailVerificationRequested(
                    user_id=user.id,
                    email=user.email,
                    display_name=user.display_name,
                    locale=user.locale,
                    token=seal_token(
                        self._sealer,
                        secret,
                        event_type=EmailVerificationRequestedV2.event_type(),
                        subject=user.id,
                    ),
                    expires_at=record.expires_at,
                ),
            ),
        )

    async def registered(self, user: User, session: Session) -> None:
        """A new account asks for its first verification email."""
        await self.request(user, session, now=user.created_at)


async def resend_verification(
    user_id: str,
    client_ip: str,
    *,
    accounts: Accounts,
    verification: EmailVerification,
    throttle: AttemptThrottle,
    transactions: Transactions,
    outbox: EventOutbox,
    now: datetime,
) -> None:
    """Send a new link; raise EmailAlreadyVerified, Throttled or UserNotFound."""
    user = await accounts.by_id(user_id)
    if user is None:
        raise UserNotFound(user_id)
    if user.email_verified:
        raise EmailAlreadyVerified
    # Every request counts: each one sends an email, which must not become a mail bomb.
    await throttle.reserve(
        [("token-request-account", user.email), ("token-request-ip", client_ip)], now
    )

    async def work(session: Session) -> None:
        current = await accounts.by_id(user_id, session)
        if current is None:
            raise UserNotFound(user_id)
        if current.email_verified:
            raise EmailAlreadyVerified
        await verification.request(current, session, now=now)

    await transactions.run(work)
    outbox.committed()


async def verify_email(
    token: str,
    *,
    accounts: Accounts,
    tokens: OneTimeTokens,
    outbox: EventOutbox,
    transactions: Transactions,
    now: datetime,
) -> User:
    """Consume the token and mark the address verified; raise InvalidOneTimeToken."""

    async def work(session: Session) -> User:
        record = await tokens.take(digest(token), "verify_email", session)
        if record is None:
            raise InvalidOneTimeToken
        user = await accounts.by_id(record.user_id, session)
        if user is None or not record.usable(purpose="verify_email", email=user.email, now=now):
            raise InvalidOneTimeToken
        if user.email_verified:
            return user
        verified = user.verified(now)
        await accounts.save(verified, session)
        await outbox.add(session, email_verified(verified, now))
        return verified

    user = await transactions.run(work)
    outbox.committed()
    return user


def email_verified(user: User, now: datetime) -> EmailVerifiedV1:
    """The event announcing that ``user`` owns their address."""
    return EmailVerifiedV1.new(
        subject=user.id, time=now, data=EmailVerified(user_id=user.id, email=user.email)
    )
