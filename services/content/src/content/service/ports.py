"""What the use cases need from the outside world."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

from cerchia_contracts.catalog import AnyEvent
from content.domain.access import Community, Membership
from content.domain.discussions import Reply, Revision, Thread
from content.domain.library import Course, Lesson, Progress, Resource
from content.domain.limits import PostingRate
from content.domain.messages import Conversation, Message
from content.domain.moderation import Decision, Flag
from content.domain.pages import Position

#: An open transaction; opaque to the use cases.
Session = Any
T = TypeVar("T")
ThreadSort = Literal["activity", "newest"]
ResourceSort = Literal["recent", "useful"]
SearchKind = Literal["thread", "reply", "resource"]


class Transactions(Protocol):
    """Runs a unit of work atomically."""

    async def run(self, work: Callable[[Session], Awaitable[T]]) -> T: ...


class EventOutbox(Protocol):
    """Stores events with the state change; publishes them after commit."""

    async def add(self, session: Session, *events: AnyEvent) -> None: ...

    def committed(self) -> None: ...


class Inbox(Protocol):
    """Applies a consumed event's effect once."""

    async def process_once(
        self, *, consumer: str, event_id: str, effect: Callable[[Session], Awaitable[None]]
    ) -> bool: ...


@dataclass(frozen=True)
class Person:
    """How a member is shown: their name and handle (None once erased)."""

    user_id: str
    display_name: str
    handle: str | None
    erased: bool = False


class Directory(Protocol):
    """Content's projection of membership: communities, members, people."""

    async def community(self, community_id: str, session: Session = None) -> Community | None: ...

    async def community_as_of(
        self, community_id: str, session: Session
    ) -> tuple[Community | None, datetime | None]: ...

    async def save_community(
        self, community: Community, as_of: datetime | None, session: Session
    ) -> None: ...

    async def membership(
        self, community_id: str, user_id: str, session: Session = None
    ) -> Membership | None: ...

    async def save_membership(self, membership: Membership, session: Session) -> None: ...

    async def moderators(self, community_id: str, session: Session = None) -> list[str]: ...

    async def members_by_handles(
        self, community_id: str, handles: Sequence[str], session: Session = None
    ) -> dict[str, str]:
        """handle → user id, for active members of the community only."""
        ...

    async def share_community(self, a: str, b: str) -> bool: ...

    async def people(self, user_ids: Sequence[str]) -> dict[str, Person]: ...

    async def save_person(
        self,
        user_id: str,
        *,
        display_name: str,
        handle: str | None,
        initial: bool,
        session: Session,
    ) -> None:
        """Record a person's name; ``initial`` facts never overwrite later ones, and an erased
        person is never brought back."""
        ...

    async def erase_person(self, user_id: str, session: Session) -> None: ...


class Threads(Protocol):
    """Threads by id and by community."""

    async def add(self, thread: Thread, session: Session) -> None: ...

    async def get(self, thread_id: str, session: Session = None) -> Thread | None: ...

    async def save(self, thread: Thread, session: Session) -> None: ...

    async def by_recap(self, recap_id: str, session: Session) -> Thread | None: ...

    async def page(
        self,
        community_id: str,
        *,
        sort: ThreadSort,
        after: Position | None,
        limit: int,
        category: str | None,
        tag: str | None,
        include_hidden: bool,
    ) -> list[Thread]: ...

    async def categories(self, community_id: str) -> dict[str, int]: ...


class Replies(Protocol):
    """Replies by id and by thread."""

    async def add(self, reply: Reply, session: Session) -> None: ...

    async def get(self, reply_id: str, session: Session = None) -> Reply | None: ...

    async def save(self, reply: Reply, session: Session) -> None: ...

    async def page(
        self, thread_id: str, *, after: Position | None, limit: int, include_hidden: bool
    ) -> list[Reply]: ...


class Revisions(Protocol):
    """Earlier versions of edited posts."""

    async def add(self, revision: Revision, session: Session) -> None: ...

    async def of(self, post_id: str) -> list[Revision]: ...


class ReadMarkers(Protocol):
    """When each member last read each thread."""

    async def mark(self, thread_id: str, user_id: str, at: datetime) -> None: ...

    async def read_at(self, user_id: str, thread_ids: Sequence[str]) -> dict[str, datetime]: ...


class PostLog(Protocol):
    """Recent posting times per member, for the rate limit."""

    async def recent(self, user_id: str, since: datetime, session: Session) -> list[datetime]: ...

    async def record(self, user_id: str, at: datetime, session: Session) -> None: ...


@dataclass(frozen=True)
class SearchHit:
    """One ranked search result."""

    kind: SearchKind
    id: str
    thread_id: str | None
    title: str
    excerpt: str
    score: float


class SearchIndex(Protocol):
    """The tokenized full-text index over live content."""

    async def put(
        self,
        *,
        kind: SearchKind,
        object_id: str,
        community_id: str,
        thread_id: str | None,
        title: str,
        body: str,
        language: str,
        session: Session,
    ) -> None: ...

    async def drop(self, kind: SearchKind, object_id: str, session: Session) -> None: ...

    async def search(
        self, community_id: str, query: str, *, language: str, limit: int
    ) -> list[SearchHit]: ...


class Library(Protocol):
    """Resources, courses, lessons and progress."""

    async def add_resource(self, resource: Resource, session: Session) -> None: ...

    async def resource(self, resource_id: str, session: Session = None) -> Resource | None: ...

    async def save_resource(self, resource: Resource, session: Session) -> None: ...

    async def resources(
        self,
        community_id: str,
        *,
        sort: ResourceSort,
        after: Position | None,
        limit: int,
        tag: str | None,
        include_hidden: bool,
    ) -> list[Resource]: ...

    async def add_course(self, course: Course, session: Session) -> None: ...

    async def course(self, course_id: str, session: Session = None) -> Course | None: ...

    async def save_course(self, course: Course, session: Session) -> None: ...

    async def courses(
        self, community_id: str, *, after: Position | None, limit: int, drafts: bool
    ) -> list[Course]: ...

    async def add_lesson(self, lesson: Lesson, session: Session) -> None: ...

    async def lesson(self, lesson_id: str, session: Session = None) -> Lesson | None: ...

    async def lessons(self, course_id: str, session: Session = None) -> list[Lesson]: ...

    async def progress(
        self, course_id: str, user_id: str, session: Session = None
    ) -> Progress | None: ...

    async def save_progress(self, progress: Progress, session: Session) -> None: ...

    async def enrolled(self, course_id: str, session: Session) -> list[str]: ...


class Moderation(Protocol):
    """Flags and the audit log of decisions."""

    async def add_flag(self, flag: Flag, session: Session) -> None: ...

    async def open_flags(
        self, community_id: str, *, after: Position | None, limit: int
    ) -> list[Flag]: ...

    async def open_flags_on(self, target_id: str, session: Session) -> list[Flag]: ...

    async def resolve(
        self, flag_ids: Sequence[str], *, resolution: str, at: datetime, session: Session
    ) -> None: ...

    async def record(self, decision: Decision, session: Session) -> None: ...

    async def decisions(
        self, community_id: str, *, after: Position | None, limit: int
    ) -> list[Decision]: ...


class Conversations(Protocol):
    """Direct-message conversations, messages and blocks."""

    async def get(self, conversation_id: str, session: Session = None) -> Conversation | None: ...

    async def save(self, conversation: Conversation, session: Session) -> None: ...

    async def of(
        self, user_id: str, *, after: Position | None, limit: int
    ) -> list[Conversation]: ...

    async def add_message(self, message: Message, session: Session) -> None: ...

    async def messages(
        self, conversation_id: str, *, after: Position | None, limit: int
    ) -> list[Message]: ...

    async def blocked(self, blocker_id: str, blocked_id: str, session: Session = None) -> bool: ...

    async def block(self, blocker_id: str, blocked_id: str, *, on: bool) -> None: ...

    async def blocks_of(self, blocker_id: str) -> list[str]: ...


class Eraser(Protocol):
    """Applies the erasure policy to everything content holds about one user."""

    async def erase(self, user_id: str, session: Session) -> None: ...


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
