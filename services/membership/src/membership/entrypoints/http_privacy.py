"""GDPR routes: download everything membership holds about me."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response

from cerchia_chassis.auth import CurrentUser
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas import documented
from membership.service.privacy import export_personal_data

router = APIRouter(prefix="/api/v1/me", tags=["privacy"])

_EXAMPLE = {
    "format": "cerchia.membership.export.v1",
    "user_id": "0b8f5c1e-4a55-4a36-9d0e-2f1c7e0f6a11",
    "generated_at": "2025-05-04T09:30:00Z",
    "sections": {"account": {"account": {"email": "ada@example.org"}, "profile": {}}},
}


@router.get(
    "/export",
    summary="Export my personal data (GDPR)",
    responses={
        200: {
            "description": "One JSON document",
            "content": {"application/json": {"example": _EXAMPLE}},
        },
        **documented(401, 404),
    },
)
async def export(me: CurrentUser, deps: Deps, response: Response) -> dict[str, Any]:
    """Everything membership holds about me, one section per area, as a JSON download."""
    document = await export_personal_data(me.user_id, ports=deps.accounts, now=datetime.now(UTC))
    response.headers["Content-Disposition"] = 'attachment; filename="cerchia-membership.json"'
    response.headers["Cache-Control"] = "no-store"
    return document
