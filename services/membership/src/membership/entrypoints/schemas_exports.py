"""Response models of the export routes."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from membership.domain.exports import Export


class ContributionView(BaseModel):
    """One service's part of an export."""

    service: str = Field(description="The contributing service (its folder in the archive).")
    contributed: bool = Field(description="Its whole part arrived.")
    parts_received: int = Field(description="Parts received so far.")
    parts_expected: int | None = Field(
        description="Parts the service announced; null until its first part arrives."
    )


_EXAMPLE: dict[str, Any] = {
    "id": "5e0c2b7a-8f0e-4d43-9a43-0b1f0f6c2d11",
    "status": "complete",
    "requested_at": "2026-12-03T09:00:00Z",
    "deadline": "2026-12-03T09:10:00Z",
    "finished_at": "2026-12-03T09:00:04Z",
    "expires_at": "2026-12-10T09:00:04Z",
    "contributed": ["membership", "content", "events", "notifications"],
    "missing": [],
    "services": [
        {"service": "content", "contributed": True, "parts_received": 13, "parts_expected": 13}
    ],
    "archive_url": "/api/v1/me/exports/5e0c2b7a-8f0e-4d43-9a43-0b1f0f6c2d11/archive",
}


class ExportView(BaseModel):
    """An export's progress, and where to download it once finished."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    id: str = Field(description="Id of the export.")
    status: Literal["pending", "complete", "partial"] = Field(
        description="pending: parts are arriving; complete: every service contributed; "
        "partial: the deadline passed first (see `missing`)."
    )
    requested_at: datetime = Field(description="When it was asked for.")
    deadline: datetime = Field(description="When it is finished at the latest, as partial.")
    finished_at: datetime | None = Field(description="When it was finished.")
    expires_at: datetime | None = Field(
        description="Until when the archive can be downloaded (then it is deleted)."
    )
    contributed: list[str] = Field(description="Services whose part arrived.")
    missing: list[str] = Field(description="Services whose part has not arrived.")
    services: list[ContributionView] = Field(description="Each service's progress.")
    archive_url: str | None = Field(
        description="Path of the zip archive, once finished (owner only, until expiry)."
    )

    @classmethod
    def of(cls, export: Export, *, archive_path: str) -> "ExportView":
        """The view of a stored export."""
        contributions = []
        for service in export.services:
            c = export.contributions.get(service)
            contributions.append(
                ContributionView(
                    service=service,
                    contributed=service in export.contributed,
                    parts_received=len(c.received) if c else 0,
                    parts_expected=c.parts if c else None,
                )
            )
        return cls(
            id=export.id,
            status=export.status.value,
            requested_at=export.requested_at,
            deadline=export.deadline,
            finished_at=export.finished_at,
            expires_at=export.expires_at,
            contributed=list(export.contributed),
            missing=list(export.missing),
            services=contributions,
            archive_url=None if export.pending else archive_path,
        )
