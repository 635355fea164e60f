"""Personal-data exports (GDPR Art. 15 and 20): membership asks, every service contributes.

``membership.exports.v1`` carries the request (and the announcement that the archive is ready);
each service answers on its own ``<service>.exports.v1`` topic with its part, one file (or one
slice of a large file) per event so that no record grows large. The parts are personal data:
the topics are internal, read only by membership, and keep their records for a short time.
"""

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from cerchia_contracts.envelope import CloudEvent, EventData
from cerchia_contracts.personal import PersonalData

__all__ = [
    "ContentExportPartV1",
    "EventsExportPartV1",
    "ExportPart",
    "ExportReady",
    "ExportReadyV1",
    "ExportRequested",
    "ExportRequestedV1",
    "NotificationsExportPartV1",
]


class ExportRequested(EventData):
    """A person asked for a copy of everything the platform holds about them."""

    export_id: str = Field(description="Id of the export; every part names it.")
    user_id: str = Field(description="The person whose data is exported.")
    deadline: AwareDatetime = Field(
        description="After this time the archive is assembled from the parts received so far."
    )


class ExportRequestedV1(CloudEvent[ExportRequested]):
    """Every service that holds personal data publishes its part of the export."""

    type: Literal["cerchia.membership.export_requested.v1"] = Field(
        default="cerchia.membership.export_requested.v1", description="Event type."
    )


class ExportReady(EventData):
    """An export's archive can be downloaded, by its owner, until it expires."""

    export_id: str = Field(description="Id of the export.")
    user_id: str = Field(description="The person the archive belongs to.")
    status: Literal["complete", "partial"] = Field(
        description="complete: every service contributed; partial: the deadline passed first."
    )
    missing: tuple[str, ...] = Field(
        default=(), description="The services whose part had not arrived (when partial)."
    )
    expires_at: str = Field(description="When the download stops working (ISO 8601, UTC).")


class ExportReadyV1(CloudEvent[ExportReady]):
    """The archive is ready: notifications emails its owner the download link."""

    type: Literal["cerchia.membership.export_ready.v1"] = Field(
        default="cerchia.membership.export_ready.v1", description="Event type."
    )


class ExportPart(EventData):
    """One file of a service's part of an export, or one slice of it."""

    export_id: str = Field(description="Id of the export this part belongs to.")
    user_id: str = Field(description="The person whose data this is.")
    service: str = Field(description="The contributing service (its folder in the archive).")
    file: str = Field(description="File name in the service's folder, e.g. posts.json.")
    description: str = Field(description="What the file holds, for the archive's README.")
    sequence: int = Field(ge=0, description="Position of this part among the service's parts.")
    parts: int = Field(ge=1, description="How many parts the service publishes for the export.")
    items: Annotated[tuple[dict[str, Any], ...], PersonalData("user_id")] = Field(
        default=(), description="Records of the file (a slice of them for a large file)."
    )


class ContentExportPartV1(CloudEvent[ExportPart]):
    """Content's part: posts, replies, reactions, resources, course progress, messages."""

    type: Literal["cerchia.content.export_part_published.v1"] = Field(
        default="cerchia.content.export_part_published.v1", description="Event type."
    )


class EventsExportPartV1(CloudEvent[ExportPart]):
    """Events' part: RSVPs, check-ins, hosted gatherings."""

    type: Literal["cerchia.events.export_part_published.v1"] = Field(
        default="cerchia.events.export_part_published.v1", description="Event type."
    )


class NotificationsExportPartV1(CloudEvent[ExportPart]):
    """Notifications' part: preferences, feed, deliveries, push subscriptions, webhooks."""

    type: Literal["cerchia.notifications.export_part_published.v1"] = Field(
        default="cerchia.notifications.export_part_published.v1", description="Event type."
    )
