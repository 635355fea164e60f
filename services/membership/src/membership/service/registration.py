"""Registering an account."""

from dataclasses import dataclass
from datetime import UTC, datetime

from cerchia_chassis.ports import Session
from cerchia_contracts.events.membership import (
    SignUpAttempted,
    SignUpAttemptedV1,
    UserRegistered,
    UserRegisteredV1,
)
from membership.domain.account_errors import EmailAlreadyRegistered, Throttled
from membership.domain.profiles import DEFAULT_TIMEZONE, check_timezone
from membership.domain.users import Locale, User
from membership.service.account_ports import AccountPorts
from membership.service.profiles import profile_updated
from membership.service.verification import request_verification


@dataclass(frozen=True)
class Registration:
    """What a person submits to create an account."""

    email: str
    password: str
    display_name: str
    locale: Locale
    #: IANA zone (the browser's); UTC when none is given.
    timezone: str | None = None


async def register_user(registration: Registration, *, ports: AccountPorts) -> User:
    """Create the account, announce it (with its full profile, so every projection has its
    time zone) and ask for the first verification email, atomically; raise InvalidProfile for
    an unknown time zone.

    An address that already has an account gets the same answer (an account that is never
    stored; the password is hashed all the same, so the time taken tells nothing either), and
    its owner an email saying someone tried: sign-up does not reveal who has an account, as
    login and password reset do not.
    """
    zone = check_timezone(registration.timezone or DEFAULT_TIMEZONE)
    user = User.register(
        email=registration.email,
        display_name=registration.display_name,
        locale=registration.locale,
        password_hash=await ports.hasher.hash(registration.password),
        now=datetime.now(UTC),
        timezone=zone,
    )
    event = UserRegisteredV1.new(
        subject=user.id,
        time=user.created_at,
        data=UserRegistered(
            user_id=user.id,
            email=user.email,
            display_name=user.display_name,
            locale=user.locale,
            timezone=user.profile.timezone,
        ),
    )

    async def work(session: Session) -> None:
        await ports.accounts.add(user, session)
        await ports.outbox.add(session, event, profile_updated(user))
        await request_verification(user, session, ports=ports, now=user.created_at)

    try:
        await ports.transactions.run(work)
    except EmailAlreadyRegistered:
        await _tell_owner(user.email, now=user.created_at, ports=ports)
        return user
    ports.outbox.committed()
    return user


async def _tell_owner(email: str, *, now: datetime, ports: AccountPorts) -> None:
    """Announce the attempt for the notifications service to email the address's owner."""
    # Each attempt sends an email, which must not become a mail bomb; past the budget the owner
    # has been told enough, and the answer stays the same (a 429 here would tell the address).
    try:
        await ports.throttle.reserve([("sign-up-attempt-account", email)], now)
    except Throttled:
        return

    async def work(session: Session) -> None:
        owner = await ports.accounts.by_email(email, session)
        if owner is None:  # erased in between: nobody to tell
            return
        event = SignUpAttemptedV1.new(
            subject=owner.id, time=now, data=SignUpAttempted(user_id=owner.id)
        )
        await ports.outbox.add(session, event)

    await ports.transactions.run(work)
    ports.outbox.committed()
