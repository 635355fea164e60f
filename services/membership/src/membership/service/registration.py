"""Registering an account."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cerchia_contracts.events.membership import UserRegistered, UserRegisteredV1
from membership.domain.users import Locale, User
from membership.service.account_ports import RegistrationParticipant
from membership.service.ports import (
    EventOutbox,
    PasswordHasher,
    Session,
    Transactions,
    UserRepository,
)


@dataclass(frozen=True)
class Registration:
    """What a person submits to create an account."""

    email: str
    password: str
    display_name: str
    locale: Locale


async def register_user(
    registration: Registration,
    *,
    users: UserRepository,
    outbox: EventOutbox,
    transactions: Transactions,
    hasher: PasswordHasher,
    participants: Sequence[RegistrationParticipant] = (),
) -> User:
    """Create the account and announce it, atomically; raise EmailAlreadyRegistered.

    ``participants`` act in the same transaction (the email verification request, for one).
    """
    user = User.register(
        email=registration.email,
        display_name=registration.display_name,
        locale=registration.locale,
        password_hash=await hasher.hash(registration.password),
        now=datetime.now(UTC),
    )
    event = UserRegisteredV1.new(
        subject=user.id,
        time=user.created_at,
        data=UserRegistered(
            user_id=user.id, email=user.email, display_name=user.display_name, locale=user.locale
        ),
    )

    async def work(session: Session) -> None:
        await users.add(user, session)
        await outbox.add(session, event)
        for participant in participants:
            await participant.registered(user, session)

    await transactions.run(work)
    outbox.committed()
    return user
