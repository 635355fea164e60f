"""Every port the use cases use, gathered once by the composition root."""

from dataclasses import dataclass

from content.domain.limits import PostingRate
from content.service.directory_ports import Directory
from content.service.discussion_ports import PostLog, ReadMarkers, Replies, Revisions, Threads
from content.service.library_ports import Library
from content.service.safety_ports import Conversations, Moderation
from content.service.search_ports import SearchIndex
from content.service.unit_of_work import EventOutbox, Transactions


@dataclass(frozen=True)
class Ports:
    """Every port the use cases use, built once by the composition root."""

    transactions: Transactions
    outbox: EventOutbox
    directory: Directory
    threads: Threads
    replies: Replies
    revisions: Revisions
    reads: ReadMarkers
    post_log: PostLog
    search: SearchIndex
    library: Library
    moderation: Moderation
    conversations: Conversations
    rate: PostingRate
