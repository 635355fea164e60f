"""The bundle of ports every content use case takes, built once by the composition root."""

from dataclasses import dataclass

from cerchia_chassis.ports import EventOutbox, Inbox, Transactions
from content.domain.limits import PostingRate
from content.service.directory_ports import Communities, Eraser, People
from content.service.discussion_ports import PostLog, ReadMarkers, Replies, Revisions, Threads
from content.service.library_ports import Library
from content.service.safety_ports import Conversations, Moderation
from content.service.search_ports import SearchIndex


@dataclass(frozen=True)
class Ports:
    """Every port of content's use cases, HTTP and Kafka alike (moderation, recaps and erasure
    reach across discussions, the library and messages, so one bundle serves them all)."""

    transactions: Transactions
    outbox: EventOutbox
    inbox: Inbox
    communities: Communities
    people: People
    eraser: Eraser
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
