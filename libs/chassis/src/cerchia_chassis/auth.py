"""Access-token verification (RFC 8725 / RFC 9068) against membership's JWKS, for every service."""

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cerchia_chassis.problems import Problem
from cerchia_chassis.revocations import Revocations, issued_at

ALGORITHMS = ("EdDSA", "ES256")
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type (RFC 9068), not a secret
_REFRESH_INTERVAL_S = 30.0
#: How long fetched keys are used before being re-read: the JWKS's ``Cache-Control: max-age``.
MAX_AGE_S = 300.0
_WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="cerchia"'}


@dataclass(frozen=True)
class Principal:
    """The verified caller of a request."""

    user_id: str
    token_id: str
    claims: dict[str, Any]


class InvalidToken(Exception):
    """The bearer token cannot be trusted."""

    code = "invalid-token"


class RevokedToken(InvalidToken):
    """The token is well formed, but its session has ended (``cerchia_chassis.revocations``)."""

    code = "token-revoked"


class KeySet:
    """Membership's public keys, fetched from its JWKS URL and refreshed on an unknown ``kid``.

    Refreshes are rate-limited so a flood of tokens with made-up ``kid`` values cannot turn into
    a flood of requests to membership.
    """

    def __init__(
        self,
        *,
        url: str | None = None,
        static: dict[str, Any] | None = None,
        max_age_s: float = MAX_AGE_S,
    ) -> None:
        if url is None and static is None:
            raise ValueError("a key set needs a JWKS URL or a static JWKS")
        self._url = url
        self._max_age_s = max_age_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        if static is not None:
            self._load(static)

    def _load(self, document: Any) -> None:
        # A malformed key set means no token can be checked: InvalidToken (a 401), never an
        # unexpected error out of a request. Keys this verifier cannot use are skipped, as
        # RFC 7517 section 5 asks, so one odd key does not hide the good ones.
        entries = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise InvalidToken("the signing key set is not a JWKS document")
        keys: dict[str, jwt.PyJWK] = {}
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            try:
                key = jwt.PyJWK(entry)
            except (jwt.PyJWTError, TypeError, ValueError):
                continue
            if isinstance(key.key_id, str) and key.key_id:
                keys[key.key_id] = key
        if not keys:
            raise InvalidToken("the signing key set holds no usable key")
        self._keys = keys

    async def key(self, kid: str) -> jwt.PyJWK:
        """The public key with this id; raise InvalidToken when membership does not know it.

        Keys fetched from the URL are re-read once older than ``max_age_s`` (the JWKS's own
        cache lifetime), so a key membership publishes ahead of a rotation is known here before
        the first token signed with it arrives; a failed re-read keeps the keys already known.
        """
        if self._url is not None and (
            kid not in self._keys or time.monotonic() - self._fetched_at > self._max_age_s
        ):
            async with self._lock:
                age = time.monotonic() - self._fetched_at
                if kid not in self._keys and age > (_REFRESH_INTERVAL_S if self._keys else 0):
                    await self._refresh(self._url)
                elif age > self._max_age_s:
                    with contextlib.suppress(InvalidToken):
                        await self._refresh(self._url)
        try:
            return self._keys[kid]
        except KeyError:
            raise InvalidToken("unknown signing key") from None

    async def _refresh(self, url: str) -> None:
        self._fetched_at = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(url)
                response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise InvalidToken("signing keys are unavailable") from exc
        self._load(document)


class TokenVerifier:
    """Checks signature, algorithm, ``typ``, ``iss``, ``aud``, ``exp`` and ``sub`` of a token."""

    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str,
        audience: str,
        leeway_s: float = 30,
        revocations: Revocations | None = None,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_s
        #: Ended sessions; a token of one is refused (``RevokedToken``).
        self.revocations = revocations

    async def verify(self, token: str) -> Principal:
        """The principal a valid access token names; raise InvalidToken otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken("algorithm not allowed")
        if header.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidToken("not an access token")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("token names no signing key")
        key = await self._keys.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=list(ALGORITHMS),
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        session = claims.get("sid")
        if self.revocations is not None and self.revocations.revoked(
            user_id=claims["sub"],
            session_id=session if isinstance(session, str) else None,
            issued_at=issued_at(claims),
        ):
            raise RevokedToken("the session has ended")
        return Principal(user_id=claims["sub"], token_id=claims["jti"], claims=claims)


def key_set_from_settings(jwks_url: str | None, jwks_json: str | None) -> KeySet | None:
    """The key set configured for a service, if any."""
    if jwks_json:
        return KeySet(static=json.loads(jwks_json))
    if jwks_url:
        return KeySet(url=jwks_url)
    return None


#: How the OpenAPI documents name the bearer scheme (one name across every service's document).
BEARER_SCHEME = "bearerAuth"
_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name=BEARER_SCHEME,
    bearerFormat="JWT",
    description="Access token from `POST /api/v1/auth/login` (EdDSA, 15 minutes).",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]


async def _principal(request: Request, _: Credentials) -> Principal:
    # ``Credentials`` declares the route's security in OpenAPI; the header is read here, so a
    # malformed one gets our problem answer rather than FastAPI's.
    return await _verified(request)


async def _verified(request: Request) -> Principal:
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise Problem(503, "auth-unavailable", "Authentication is not configured.")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(
            401, "unauthenticated", "A bearer access token is required.", headers=_WWW_AUTHENTICATE
        )
    try:
        return await verifier.verify(token.strip())
    except InvalidToken as exc:
        raise Problem(
            401,
            exc.code,
            f"The access token is not valid: {exc}.",
            headers={"WWW-Authenticate": 'Bearer realm="cerchia", error="invalid_token"'},
        ) from exc


async def _optional_principal(request: Request, _: Credentials) -> Principal | None:
    if "authorization" not in request.headers:
        return None
    return await _verified(request)


def document_optional_security(app: FastAPI) -> None:
    """Routes that take ``MaybeCurrentUser`` declare the bearer scheme as optional in OpenAPI
    (``security: [{bearerAuth: []}, {}]``): FastAPI can only say "required"."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        for route in app.routes:
            if isinstance(route, APIRoute) and _uses(route.dependant, _optional_principal):
                item = schema.get("paths", {}).get(route.path_format, {})
                for method in route.methods or ():
                    operation = item.get(method.lower())
                    if isinstance(operation, dict):
                        operation["security"] = [{BEARER_SCHEME: []}, {}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _uses(dependant: Dependant, call: Any) -> bool:
    return dependant.call is call or any(_uses(d, call) for d in dependant.dependencies)


#: Route parameter type for an authenticated caller: ``async def route(me: CurrentUser)``.
CurrentUser = Annotated[Principal, Depends(_principal)]

#: For public reads that show more to a signed-in caller: None without a token, 401 for a bad one.
MaybeCurrentUser = Annotated[Principal | None, Depends(_optional_principal)]
