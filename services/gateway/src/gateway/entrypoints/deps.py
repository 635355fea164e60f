"""Route dependencies: the container, and who is calling and whether they may (access rule,
token verification, rate limits)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from cerchia_chassis.auth import InvalidToken, Principal, TokenVerifier
from cerchia_chassis.problems import Problem
from cerchia_chassis.service_app import container
from gateway.container import Container
from gateway.domain.routes import Access, access_for, is_sensitive
from gateway.entrypoints.edge import record

_CHALLENGE = 'Bearer realm="cerchia"'


@dataclass(frozen=True)
class Caller:
    """The request's client address and, when it showed a valid token, its user."""

    client_ip: str
    principal: Principal | None


def client_ip(request: Request) -> str:
    """The client's address (uvicorn already applied the trusted proxies' forwarding headers)."""
    return request.client.host if request.client is not None else "unknown"


def bearer_token(request: Request) -> str | None:
    """The bearer token of the request, if it carries one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def _limit(deps: Container, limit: str, *key: str) -> None:
    decision = await deps.limiter.hit(limit, *key)
    if not decision.allowed:
        wait = decision.retry_after_header
        raise Problem(
            429,
            "rate-limited",
            f"Too many requests; try again in {wait} s.",
            headers={"Retry-After": wait},
        )


async def _verify(verifier: TokenVerifier | None, token: str) -> Principal:
    if verifier is None:
        raise Problem(503, "auth-unavailable", "Authentication is not configured.")
    try:
        return await verifier.verify(token)
    except InvalidToken as exc:
        raise Problem(
            401,
            exc.code,  # invalid-token, or token-revoked for a session that ended
            f"The access token is not valid: {exc}.",
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
        ) from exc


#: The running gateway's container: ``async def route(deps: Deps)``.
Deps = Annotated[Container, Depends(container)]


async def gate(request: Request, deps: Deps) -> Caller:
    """Admit the request or raise the problem that refuses it.

    The per-address limit comes first, so a flood of forged tokens is cut off before any is
    verified; the per-user limit follows once the user is known.
    """
    settings = deps.settings
    method, path = request.method, request.url.path
    ip = client_ip(request)
    if is_sensitive(method, path):
        await _limit(deps, settings.rate_limit_sensitive_per_ip, "sensitive", ip)
    await _limit(deps, settings.rate_limit_per_ip, "ip", ip)
    access = access_for(method, path)
    principal: Principal | None = None
    if access is not Access.PUBLIC:
        token = bearer_token(request)
        if token is not None:
            principal = await _verify(request.app.state.token_verifier, token)
        elif access is Access.TOKEN:
            raise Problem(
                401,
                "unauthenticated",
                "A bearer access token is required.",
                headers={"WWW-Authenticate": _CHALLENGE},
            )
    if principal is not None:
        record(request).user_id = principal.user_id
        await _limit(deps, settings.rate_limit_per_user, "user", principal.user_id)
    return Caller(client_ip=ip, principal=principal)


#: Route parameter for an admitted request: ``async def route(caller: Admitted)``.
Admitted = Annotated[Caller, Depends(gate)]
