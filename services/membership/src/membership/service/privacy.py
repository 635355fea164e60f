"""GDPR: export everything membership holds about a person, and erase their account."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from cerchia_contracts.events.membership import UserErased, UserErasedV1
from membership.domain.account_errors import UserNotFound
from membership.service.account_ports import (
    Accounts,
    AttemptThrottle,
    ErasureParticipant,
    OneTimeTokens,
    PersonalDataExporter,
    RefreshSessions,
)
from membership.service.passwords import confirm_password
from membership.service.ports import EventOutbox, PasswordHasher, Session, Transactions

EXPORT_FORMAT = "cerchia.membership.export.v1"


class AccountExporter:
    """The account part of the export: account, profile, sessions, pending emailed links."""

    def __init__(
        self, *, accounts: Accounts, sessions: RefreshSessions, tokens: OneTimeTokens
    ) -> None:
        self._accounts = accounts
        self._sessions = sessions
        self._tokens = tokens

    async def export(self, user_id: str) -> dict[str, Any]:
        """Everything stored about the account; secrets and hashes are described, not given."""
        user = await self._accounts.by_id(user_id)
        if user is None:
            raise UserNotFound(user_id)
        profile = asdict(user.profile)
        return {
            "account": {
                "id": user.id,
                "email": user.email,
                "email_verified_at": user.email_verified_at,
                "display_name": user.display_name,
                "locale": user.locale,
                "created_at": user.created_at,
                "password": "stored as an argon2id hash only",
            },
            "profile": profile,
            "sessions": [
                {
                    "id": s.id,
                    "started_at": s.created_at,
                    "last_refreshed_at": s.rotated_at,
                    "expires_at": s.expires_at,
                    "revoked_at": s.revoked_at,
                    "revoked_reason": s.revoked_reason,
                }
                for s in await self._sessions.for_user(user_id)
            ],
            "pending_links": [
                {"purpose": t.purpose, "sent_to": t.email, "sent_at": t.created_at,
                 "expires_at": t.expires_at}
                for t in await self._tokens.for_user(user_id)
            ],
        }  # fmt: skip


async def export_personal_data(
    user_id: str, *, exporters: Mapping[str, PersonalDataExporter], now: datetime
) -> dict[str, Any]:
    """One JSON document with each area's section; raise UserNotFound for an unknown account."""
    sections = {name: await exporter.export(user_id) for name, exporter in exporters.items()}
    return {"format": EXPORT_FORMAT, "user_id": user_id, "generated_at": now, "sections": sections}


async def erase_account(
    user_id: str,
    password: str,
    *,
    accounts: Accounts,
    hasher: PasswordHasher,
    throttle: AttemptThrottle,
    tokens: OneTimeTokens,
    sessions: RefreshSessions,
    participants: Sequence[ErasureParticipant],
    outbox: EventOutbox,
    transactions: Transactions,
    now: datetime,
) -> None:
    """Delete the account and everything tied to it in one transaction, then announce it.

    Raise WrongPassword, Throttled or UserNotFound. ``participants`` (other areas of membership)
    erase their data in the same transaction, so nothing is half-erased.
    """
    user = await accounts.by_id(user_id)
    if user is None:
        raise UserNotFound(user_id)
    await confirm_password(user, password, hasher=hasher, throttle=throttle, now=now)
    event = UserErasedV1.new(subject=user_id, time=now, data=UserErased(user_id=user_id))

    async def work(session: Session) -> None:
        if await accounts.by_id(user_id, session) is None:
            raise UserNotFound(user_id)
        for participant in participants:
            await participant.erase(user_id, session)
        await tokens.delete_for_user(user_id, session)
        await sessions.delete_for_user(user_id, session)
        await accounts.delete(user_id, session)
        await outbox.add(session, event)

    await transactions.run(work)
    outbox.committed()
