"""Operator routes: disabling and enabling accounts."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from cerchia_chassis.auth import CurrentUser
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import documented
from membership.entrypoints.schemas_accounts import AccountStatusResponse, DisableRequest
from membership.service.operators import disable_account, enable_account

router = APIRouter(prefix="/api/v1/admin/users", tags=["operations"])
_OPERATORS = "The caller is not an operator (settings `MEMBERSHIP_OPERATOR_IDS`)"


def _documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    answers = documented(*statuses)
    answers[403] = {**answers[403], "description": _OPERATORS}
    return answers


@router.post(
    "/{user_id}/disable",
    response_model=AccountStatusResponse,
    summary="Disable an account",
    responses=_documented(401, 403, 404, 422),
)
async def disable(
    user_id: str, body: DisableRequest, me: CurrentUser, deps: Deps
) -> AccountStatusResponse:
    """Disable the account: every session ends at once (its access tokens are refused
    everywhere within seconds) and logins and refreshes answer 403 `account-disabled` until an
    operator enables it again. For operators only."""
    user = await disable_account(
        me.user_id, user_id, body.reason, ports=deps.accounts, now=datetime.now(UTC)
    )
    return AccountStatusResponse.of(user)


@router.post(
    "/{user_id}/enable",
    response_model=AccountStatusResponse,
    summary="Enable a disabled account",
    responses=_documented(401, 403, 404, 422),
)
async def enable(user_id: str, me: CurrentUser, deps: Deps) -> AccountStatusResponse:
    """Let the account log in again; the sessions ended by disabling it stay ended. For
    operators only."""
    user = await enable_account(me.user_id, user_id, ports=deps.accounts, now=datetime.now(UTC))
    return AccountStatusResponse.of(user)
