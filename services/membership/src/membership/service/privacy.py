"""GDPR: export everything membership holds about a person, and erase their account."""

from dataclasses import asdict
from datetime import datetime
from typing import Any

from cerchia_chassis.ports import Session
from cerchia_contracts.events.membership import UserErased, UserErasedV1
from membership.domain.account_errors import UserNotFound
from membership.service.account_ports import (
    AccountPorts,
    Accounts,
    ErasureConsequence,
    OneTimeTokens,
    RefreshSessions,
)
from membership.service.passwords import confirm_password
from membership.service.sessions import sessions_revoked

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
    user_id: str, *, ports: AccountPorts, now: datetime
) -> dict[str, Any]:
    """One JSON document with each area's section; raise UserNotFound for an unknown account."""
    sections = {name: await exporter.export(user_id) for name, exporter in ports.exporters.items()}
    return {"format": EXPORT_FORMAT, "user_id": user_id, "generated_at": now, "sections": sections}


async def erasure_consequences(user_id: str, *, ports: AccountPorts) -> list[ErasureConsequence]:
    """What erasing the account would do to others: each community the person owns is handed
    to its longest-serving moderator, or archived when it has none. Raise UserNotFound."""
    if await ports.accounts.by_id(user_id) is None:
        raise UserNotFound(user_id)
    return [c for f in ports.forecasters for c in await f.consequences(user_id)]


async def erase_account(user_id: str, password: str, *, ports: AccountPorts, now: datetime) -> None:
    """Delete the account and everything tied to it in one transaction, then announce it.

    Raise WrongPassword, Throttled or UserNotFound. The erasure participants (other areas of
    membership) erase their data in the same transaction, so nothing is half-erased.
    """
    user = await ports.accounts.by_id(user_id)
    if user is None:
        raise UserNotFound(user_id)
    await confirm_password(user, password, ports=ports, now=now)
    event = UserErasedV1.new(subject=user_id, time=now, data=UserErased(user_id=user_id))

    async def work(session: Session) -> None:
        if await ports.accounts.by_id(user_id, session) is None:
            raise UserNotFound(user_id)
        for participant in ports.erasure:
            await participant.erase(user_id, session)
        # Every token issued until now dies everywhere: nothing done with one changes any state.
        await ports.outbox.add(
            session, sessions_revoked(user_id, (), "account_erased", now, all_before=now)
        )
        await ports.tokens.delete_for_user(user_id, session)
        await ports.sessions.delete_for_user(user_id, session)
        await ports.accounts.delete(user_id, session)
        # Every copy of their personal data on Kafka can no longer be read (crypto-shredding).
        await ports.outbox.forget_person(session, user_id)
        await ports.outbox.add(session, event)

    await ports.transactions.run(work)
    ports.outbox.committed()
