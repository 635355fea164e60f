"""What the platform's operators do to accounts: disable one (every session ends) and enable it."""

from datetime import datetime

from cerchia_chassis.ports import Session
from membership.domain.account_errors import NotOperator, UserNotFound
from membership.domain.users import User
from membership.service.account_ports import AccountPorts
from membership.service.sessions import sessions_revoked


def require_operator(caller_id: str, ports: AccountPorts) -> None:
    """Raise NotOperator unless the caller is one of the configured operators."""
    if caller_id not in ports.policy.operators:
        raise NotOperator


async def disable_account(
    caller_id: str, user_id: str, reason: str, *, ports: AccountPorts, now: datetime
) -> User:
    """Disable the account and end every session of it; raise NotOperator or UserNotFound.

    In one transaction: the account is marked, its refresh sessions revoked, and
    ``sessions_revoked`` (every token issued until now) queued, so no verifier accepts its
    access tokens any more; logins and refreshes are refused while it stays disabled.
    """
    require_operator(caller_id, ports)

    async def work(session: Session) -> User:
        user = await ports.accounts.by_id(user_id, session)
        if user is None:
            raise UserNotFound(user_id)
        disabled = user.disable(now, reason)
        await ports.accounts.save(disabled, session)
        ended = await ports.sessions.revoke_all(
            user_id, now=now, reason="account_disabled", session=session
        )
        await ports.outbox.add(
            session,
            sessions_revoked(user_id, ended, "account_disabled", now, all_before=now),
        )
        return disabled

    user = await ports.transactions.run(work)
    ports.outbox.committed()
    return user


async def enable_account(
    caller_id: str, user_id: str, *, ports: AccountPorts, now: datetime
) -> User:
    """Let the account log in again (its old sessions stay ended); raise NotOperator or
    UserNotFound."""
    require_operator(caller_id, ports)

    async def work(session: Session) -> User:
        user = await ports.accounts.by_id(user_id, session)
        if user is None:
            raise UserNotFound(user_id)
        enabled = user.enable()
        await ports.accounts.save(enabled, session)
        return enabled

    return await ports.transactions.run(work)
