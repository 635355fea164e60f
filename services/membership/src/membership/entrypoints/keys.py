"""The JWKS endpoint: the public keys every service verifies access tokens with."""

from typing import Any

from fastapi import APIRouter, Request, Response

router = APIRouter(tags=["keys"])


@router.get("/.well-known/jwks.json", summary="Public keys of access tokens (JWKS)")
async def jwks(request: Request, response: Response) -> dict[str, Any]:
    """The JSON Web Key Set; cacheable for a few minutes."""
    response.headers["Cache-Control"] = "public, max-age=300"
    document: dict[str, Any] = request.app.state.signing_key.jwks()
    return document
