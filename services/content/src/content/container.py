"""The content composition root: every adapter built once from settings."""

from dataclasses import dataclass
from datetime import timedelta

from cerchia_chassis.runtime import Chassis
from content.adapters.activity import MongoPostLog, MongoReadMarkers
from content.adapters.conversations import MongoConversations
from content.adapters.directory import MongoDirectory
from content.adapters.erasure import MongoEraser
from content.adapters.library import MongoLibrary
from content.adapters.moderation import MongoModeration
from content.adapters.replies import MongoReplies, MongoRevisions
from content.adapters.search import MongoSearchIndex
from content.adapters.threads import MongoThreads
from content.domain.limits import PostingRate
from content.service.ports import Ports
from content.settings import ContentSettings


@dataclass(frozen=True)
class Container:
    """What the entrypoints hand to the use cases."""

    settings: ContentSettings
    chassis: Chassis
    ports: Ports
    eraser: MongoEraser

    @classmethod
    def build(cls, settings: ContentSettings) -> "Container":
        """Wire the service; nothing connects until ``chassis.running()``."""
        chassis = Chassis(
            settings,
            indexes=[
                *MongoDirectory.indexes,
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
        db = chassis.db
        ports = Ports(
            transactions=chassis.transactions,
            outbox=chassis.outbox,
            directory=MongoDirectory(db),
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
        return cls(settings=settings, chassis=chassis, ports=ports, eraser=MongoEraser(db))
