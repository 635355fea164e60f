"""The content composition root: the chassis and every adapter, built once from settings."""

from dataclasses import dataclass
from datetime import timedelta

from cerchia_chassis.community_projection import CommunityProjection
from cerchia_chassis.exports import ExportContributor
from cerchia_chassis.runtime import Chassis
from cerchia_contracts.events.exports import ContentExportPartV1
from content.adapters.activity import MongoPostLog, MongoReadMarkers
from content.adapters.conversations import MongoConversations
from content.adapters.erasure import MongoEraser
from content.adapters.export import FILES as EXPORT_FILES
from content.adapters.library import MongoLibrary
from content.adapters.moderation import MongoModeration
from content.adapters.people import MongoPeople
from content.adapters.replies import MongoReplies, MongoRevisions
from content.adapters.search import MongoSearchIndex
from content.adapters.threads import MongoThreads
from content.domain.limits import PostingRate
from content.service.ports import Ports
from content.settings import ContentSettings


@dataclass(frozen=True)
class Container:
    """The running service: its chassis and the ports its use cases take."""

    settings: ContentSettings
    chassis: Chassis
    ports: Ports
    #: This service's part of personal-data exports.
    export: ExportContributor

    @classmethod
    def build(cls, settings: ContentSettings) -> "Container":
        """Wire the service; nothing connects until ``chassis.running()``."""
        chassis = Chassis(
            settings,
            indexes=[
                *CommunityProjection.indexes,
                *MongoPeople.indexes,
                *MongoThreads.indexes,
                *MongoReplies.indexes,
                *MongoRevisions.indexes,
                *MongoReadMarkers.indexes,
                *MongoPostLog.indexes,
                *MongoSearchIndex.indexes,
                *MongoLibrary.indexes,
                *MongoModeration.indexes,
                *MongoConversations.indexes,
            ],
        )
        return cls(
            settings=settings,
            chassis=chassis,
            ports=_ports(chassis, settings),
            export=_exports(chassis),
        )


def _ports(chassis: Chassis, settings: ContentSettings) -> Ports:
    db = chassis.db
    return Ports(
        transactions=chassis.transactions,
        outbox=chassis.outbox,
        inbox=chassis.inbox,
        communities=CommunityProjection(db),
        people=MongoPeople(db),
        eraser=MongoEraser(db),
        threads=MongoThreads(db),
        replies=MongoReplies(db),
        revisions=MongoRevisions(db),
        reads=MongoReadMarkers(db),
        post_log=MongoPostLog(db),
        search=MongoSearchIndex(db),
        library=MongoLibrary(db),
        moderation=MongoModeration(db),
        conversations=MongoConversations(db),
        rate=PostingRate(
            limit=settings.posting_rate_limit,
            window=timedelta(seconds=settings.posting_rate_window_s),
        ),
    )


def _exports(chassis: Chassis) -> ExportContributor:
    return ExportContributor(
        service="content",
        files=EXPORT_FILES,
        part_event=ContentExportPartV1,
        db=chassis.db,
        inbox=chassis.inbox,
        outbox=chassis.outbox,
    )
