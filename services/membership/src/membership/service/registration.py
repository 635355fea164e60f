"""Registering an account."""

from dataclasses import dataclass
from datetime import UTC, datetime

from cerchia_chassis.ports import Session
from cerchia_contracts.events.membership import UserRegistered, UserRegisteredV1
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
    time zone) and ask for the first verification email, atomically; raise
    EmailAlreadyRegistered, or InvalidProfile for an unknown time zone."""
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

    await ports.transactions.run(work)
    ports.outbox.committed()
    return user
