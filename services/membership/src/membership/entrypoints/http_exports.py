"""GDPR routes: a complete export of my personal data, gathered from every service."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response, status

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import problem_responses
from membership.domain.exports import Export
from membership.entrypoints.deps import Deps
from membership.entrypoints.schemas_exports import ExportView
from membership.service.exports import archive, export_of, request_export

router = APIRouter(prefix="/api/v1/me/exports", tags=["privacy"])

PATH = "/api/v1/me/exports"

_DESCRIPTIONS = {
    401: "Not authenticated",
    404: "No such export of yours (another person's export is not found either)",
    409: "The export is still being assembled",
    410: "The export expired and its archive was deleted",
    422: "The request is not valid",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problem responses of the export routes."""
    return problem_responses(*statuses, descriptions=_DESCRIPTIONS)


def _view(export: Export) -> ExportView:
    return ExportView.of(export, archive_path=f"{PATH}/{export.id}/archive")


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a complete export of my personal data (GDPR)",
    responses=documented(401, 404),
)
async def start(me: CurrentUser, deps: Deps, response: Response) -> ExportView:
    """Every service contributes its part; when the archive is ready (or, if a service does not
    answer, at the deadline, as ``partial``) an email brings the download link. While an export
    is under way, asking again answers the same export."""
    export = await request_export(me.user_id, ports=deps.exports, now=datetime.now(UTC))
    response.headers["Location"] = f"{PATH}/{export.id}"
    return _view(export)


@router.get(
    "/{export_id}",
    summary="The progress of one of my exports",
    responses=documented(401, 404),
)
async def progress(export_id: str, me: CurrentUser, deps: Deps, response: Response) -> ExportView:
    """Which services have contributed, the status, the deadline and the expiry."""
    response.headers["Cache-Control"] = "no-store"
    return _view(await export_of(export_id, me.user_id, ports=deps.exports))


@router.get(
    "/{export_id}/archive",
    summary="Download one of my exports (a zip archive)",
    response_class=Response,
    responses={
        200: {"description": "The zip archive", "content": {"application/zip": {}}},
        **documented(401, 404, 409, 410),
    },
)
async def download(export_id: str, me: CurrentUser, deps: Deps) -> Response:
    """The archive: a folder of JSON files per service and a README explaining each file.
    Only its owner may download it, until it expires (then 410)."""
    name, content = await archive(export_id, me.user_id, ports=deps.exports, now=datetime.now(UTC))
    return Response(
        content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
