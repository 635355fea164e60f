"""The JWKS endpoint: the public keys every service verifies access tokens with."""

from typing import Any

from fastapi import APIRouter, Response

from membership.entrypoints.deps import Deps

router = APIRouter(tags=["keys"])


_EXAMPLE = {
    "keys": [
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": "xSXY49WyhFv8gQ73Hb2EDASqjQlKcSWT-Bc8E0ylMTc",
            "kid": "_KrO25D_37fzA2BKVWX8V-sBUsjbdUOdu8GUDorScSM",
            "alg": "EdDSA",
            "use": "sig",
        }
    ]
}


@router.get(
    "/.well-known/jwks.json",
    summary="Public keys of access tokens (JWKS)",
    responses={
        200: {
            "description": "The JSON Web Key Set (RFC 7517)",
            "content": {"application/json": {"example": _EXAMPLE}},
        }
    },
)
async def jwks(deps: Deps, response: Response) -> dict[str, Any]:
    """The JSON Web Key Set: the signing key first, then any key published ahead of or after a
    rotation; cacheable for a few minutes (verifiers re-read it as often)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return deps.jwks
