"""Authentication routes: sessions, email verification, passwords."""

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from cerchia_chassis.auth import CurrentUser
from membership.entrypoints.deps import ClientIp, Deps
from membership.entrypoints.schemas import documented
from membership.entrypoints.schemas_auth import (
    LoginRequest,
    LogoutRequest,
    PasswordChange,
    PasswordResetConfirmation,
    PasswordResetRequest,
    RefreshRequest,
    TokenRequest,
    TokenResponse,
)
from membership.service.passwords import change_password, request_password_reset, reset_password
from membership.service.sessions import (
    log_in,
    log_out,
    log_out_everywhere,
    refresh_session,
)
from membership.service.verification import resend_verification, verify_email

router = APIRouter(prefix="/api/v1/auth", tags=["authentication"])
_NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "/login",
    response_model=TokenResponse,
    summary="Log in",
    responses=documented(401, 422, 429),
)
async def login(body: LoginRequest, ip: ClientIp, deps: Deps, response: Response) -> TokenResponse:
    """Exchange email and password for an access token and a refresh token.

    Failed attempts are limited per account and per client address; past the limit the answer
    is 429 with ``Retry-After``.
    """
    tokens = await log_in(
        str(body.email),
        body.password.get_secret_value(),
        ip,
        ports=deps.accounts,
        now=datetime.now(UTC),
    )
    response.headers.update(_NO_STORE)
    return TokenResponse.of(tokens)


@router.post(
    "/refresh",
    response_model=TokenResponse,
    summary="Refresh the access token",
    responses=documented(401, 422),
)
async def refresh(body: RefreshRequest, deps: Deps, response: Response) -> TokenResponse:
    """Exchange the refresh token for new tokens; the old refresh token stops working.

    Presenting an already-used refresh token ends the whole session (it may have been stolen).
    """
    tokens = await refresh_session(body.refresh_token, ports=deps.accounts, now=datetime.now(UTC))
    response.headers.update(_NO_STORE)
    return TokenResponse.of(tokens)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out",
    responses=documented(422),
)
async def logout(body: LogoutRequest, deps: Deps) -> Response:
    """End the session of this refresh token (unknown tokens are accepted silently).

    Access tokens already issued stay valid until they expire (at most the access-token TTL).
    """
    await log_out(body.refresh_token, ports=deps.accounts, now=datetime.now(UTC))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out everywhere",
    responses=documented(401),
)
async def logout_all(me: CurrentUser, deps: Deps) -> Response:
    """End every session of mine, on every device, this one included.

    Each device must log in again once its access token expires (at most the access-token TTL).
    """
    await log_out_everywhere(me.user_id, ports=deps.accounts, now=datetime.now(UTC))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/verify-email",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Verify my email address",
    responses=documented(400, 422),
)
async def verify(body: TokenRequest, deps: Deps) -> Response:
    """Confirm the address with the token from the verification email (single use)."""
    await verify_email(body.token, ports=deps.accounts, now=datetime.now(UTC))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/verify-email/resend",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send the verification email again",
    response_class=Response,
    responses=documented(401, 404, 409, 429),
)
async def resend(me: CurrentUser, ip: ClientIp, deps: Deps) -> Response:
    """Send a new verification link; earlier links stop working."""
    await resend_verification(me.user_id, ip, ports=deps.accounts, now=datetime.now(UTC))
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask for a password-reset email",
    response_class=Response,
    responses=documented(422, 429),
)
async def password_reset(body: PasswordResetRequest, ip: ClientIp, deps: Deps) -> Response:
    """Email a reset link if an account uses this address; the answer is the same either way."""
    await request_password_reset(str(body.email), ip, ports=deps.accounts, now=datetime.now(UTC))
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with the reset link",
    responses=documented(400, 422),
)
async def password_reset_confirm(body: PasswordResetConfirmation, deps: Deps) -> Response:
    """Set the new password; every session ends, so every device must log in again."""
    await reset_password(
        body.token,
        body.new_password.get_secret_value(),
        ports=deps.accounts,
        now=datetime.now(UTC),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/change-password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password",
    responses=documented(401, 403, 404, 422, 429),
)
async def password_change(me: CurrentUser, body: PasswordChange, deps: Deps) -> Response:
    """Replace my password; my other sessions end, this one goes on."""
    session_id = me.claims.get("sid")
    await change_password(
        me.user_id,
        session_id if isinstance(session_id, str) else None,
        body.current_password.get_secret_value(),
        body.new_password.get_secret_value(),
        ports=deps.accounts,
        now=datetime.now(UTC),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
