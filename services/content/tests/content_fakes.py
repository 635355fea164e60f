"""In-memory fakes of content's ports, so use cases run without servers.

Every fake keeps its state on one ``Store`` (the chassis's ``MemoryStore`` with content's
collections); the chassis's ``FakeTransactions`` restores the whole store when the unit of work
raises, as a database transaction would, so a test can assert that a refused request wrote
nothing and published nothing. Transactions, outbox and inbox are the chassis's fakes.
"""

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from cerchia_chassis.domain.community import (
    CommunityState,
    MemberState,
    Standing,
)
from cerchia_chassis.domain.cursors import Position
from cerchia_chassis.testing import (
    CommunityStore,
    FakeCommunityProjection,
    FakeInbox,
    FakeOutbox,
    FakeTransactions,
)
from content.domain.discussions import Reply, Revision, Thread, Visibility
from content.domain.library import Course, Lesson, Progress, Resource
from content.domain.limits import PostingRate
from content.domain.messages import Conversation, Message
from content.domain.moderation import Decision, Flag
from content.service.directory_ports import Person
from content.service.ports import Ports
from content.service.search_ports import SearchHit, SearchKind

T = TypeVar("T")
E = TypeVar("E")
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@dataclass
class Store(CommunityStore):
    """Everything content's fakes hold (with the chassis's: events, inbox records, the
    community projection)."""

    people: dict[str, Person] = field(default_factory=dict)
    verified: set[str] = field(default_factory=set)
    erased: list[str] = field(default_factory=list)
    threads: dict[str, Thread] = field(default_factory=dict)
    replies: dict[str, Reply] = field(default_factory=dict)
    revisions: list[Revision] = field(default_factory=list)
    reads: dict[tuple[str, str], datetime] = field(default_factory=dict)
    post_log: list[tuple[str, datetime]] = field(default_factory=list)
    fences: list[str] = field(default_factory=list)
    search: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    progress: dict[tuple[str, str], Progress] = field(default_factory=dict)
    flags: dict[str, Flag] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    blocks: set[tuple[str, str]] = field(default_factory=set)


def _after(items: list[T], key: Callable[[T], Position], after: Position | None, *, desc: bool):
    ordered = sorted(items, key=key, reverse=desc)
    if after is None:
        return ordered
    return [i for i in ordered if (key(i) < after if desc else key(i) > after)]


Authored = TypeVar("Authored", Thread, Reply, Resource)


def _by_author_since(
    items: Iterable[Authored], community_id: str, author_id: str, since: datetime
) -> list[Authored]:
    return [
        i
        for i in items
        if i.community_id == community_id
        and i.author_id == author_id
        and i.created_at >= since
        and i.live
    ]


class FakePeople:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def people(self, user_ids: Sequence[str]) -> dict[str, Person]:
        return {u: self.store.people.get(u) or Person(u, "Member", None) for u in user_ids}

    async def by_handles(self, handles: Sequence[str], session: Any = None) -> dict[str, str]:
        wanted = {h.lower() for h in handles}
        return {
            p.handle: p.user_id
            for p in self.store.people.values()
            if p.handle is not None and p.handle in wanted
        }

    async def save_person(
        self, user_id: str, *, display_name: str, handle: str | None, initial: bool, session: Any
    ) -> None:
        existing = self.store.people.get(user_id)
        if existing is not None and (existing.erased or initial):
            return
        self.store.people[user_id] = Person(
            user_id, display_name, handle.lower() if handle else None
        )

    async def erase_person(self, user_id: str, session: Any) -> None:
        self.store.people[user_id] = Person(user_id, "Former member", None, erased=True)

    async def mark_verified(self, user_id: str, session: Any) -> None:
        self.store.verified.add(user_id)

    async def verified(self, user_id: str, session: Any = None) -> bool:
        return user_id in self.store.verified


class FakeEraser:
    """Remembers whom the erasure policy was applied to (the policy itself is Mongo's)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def erase(self, user_id: str, session: Any) -> None:
        self.store.erased.append(user_id)


class FakeThreads:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, thread: Thread, session: Any) -> None:
        self.store.threads[thread.id] = thread

    async def get(self, thread_id: str, session: Any = None) -> Thread | None:
        return self.store.threads.get(thread_id)

    async def save(self, thread: Thread, session: Any) -> None:
        self.store.threads[thread.id] = thread

    async def by_recap(self, recap_id: str, session: Any) -> Thread | None:
        return next((t for t in self.store.threads.values() if t.recap_id == recap_id), None)

    async def page(
        self,
        community_id: str,
        *,
        sort: str,
        after: Position | None,
        limit: int,
        category: str | None,
        tag: str | None,
        include_hidden: bool,
        unread_for: str | None = None,
    ) -> list[Thread]:
        shown = {Visibility.VISIBLE, Visibility.HIDDEN} if include_hidden else {Visibility.VISIBLE}

        def unread(thread: Thread) -> bool:
            read = self.store.reads.get((thread.id, unread_for or ""))
            return read is None or (thread.last_activity_at or thread.created_at) > read

        threads = [
            t
            for t in self.store.threads.values()
            if t.community_id == community_id
            and t.deleted_at is None
            and t.visibility in shown
            and (category is None or t.category == category)
            and (tag is None or tag in t.tags)
            and (unread_for is None or unread(t))
        ]

        def key(t: Thread) -> Position:
            if sort == "activity":
                return (t.pinned, t.last_activity_at, t.id)
            return (t.created_at, t.id)

        return _after(threads, key, after, desc=True)[:limit]

    async def live_by_author_since(
        self, community_id: str, author_id: str, since: datetime, session: Any
    ) -> list[Thread]:
        return _by_author_since(self.store.threads.values(), community_id, author_id, since)

    async def categories(self, community_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for t in self.store.threads.values():
            if t.community_id == community_id and t.category and t.live:
                counts[t.category] = counts.get(t.category, 0) + 1
        return counts


class FakeReplies:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, reply: Reply, session: Any) -> None:
        self.store.replies[reply.id] = reply

    async def get(self, reply_id: str, session: Any = None) -> Reply | None:
        return self.store.replies.get(reply_id)

    async def save(self, reply: Reply, session: Any) -> None:
        self.store.replies[reply.id] = reply

    async def page(
        self, thread_id: str, *, after: Position | None, limit: int, include_hidden: bool
    ) -> list[Reply]:
        shown = {Visibility.VISIBLE, Visibility.HIDDEN} if include_hidden else {Visibility.VISIBLE}
        replies = [
            r
            for r in self.store.replies.values()
            if r.thread_id == thread_id and r.visibility in shown
        ]
        return _after(replies, lambda r: (r.created_at, r.id), after, desc=False)[:limit]

    async def live_in(self, thread_id: str, session: Any) -> list[Reply]:
        return [r for r in self.store.replies.values() if r.thread_id == thread_id and r.live]

    async def live_by_author_since(
        self, community_id: str, author_id: str, since: datetime, session: Any
    ) -> list[Reply]:
        return _by_author_since(self.store.replies.values(), community_id, author_id, since)


class FakeRevisions:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, revision: Revision, session: Any) -> None:
        self.store.revisions.append(revision)

    async def of(self, post_id: str) -> list[Revision]:
        return sorted(
            (r for r in self.store.revisions if r.post_id == post_id), key=lambda r: r.revision
        )

    async def drop(self, post_id: str, session: Any) -> None:
        self.store.revisions = [r for r in self.store.revisions if r.post_id != post_id]


class FakeReads:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def mark(self, thread_id: str, user_id: str, at: datetime) -> None:
        current = self.store.reads.get((thread_id, user_id))
        self.store.reads[(thread_id, user_id)] = max(at, current) if current else at

    async def read_at(self, user_id: str, thread_ids: Sequence[str]) -> dict[str, datetime]:
        return {
            t: at for (t, u), at in self.store.reads.items() if u == user_id and t in thread_ids
        }


class FakePostLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def recent(self, user_id: str, since: datetime, session: Any) -> list[datetime]:
        return [at for u, at in self.store.post_log if u == user_id and at > since]

    async def fence(self, user_id: str, session: Any) -> None:
        self.store.fences.append(user_id)

    async def record(self, user_id: str, at: datetime, session: Any) -> None:
        self.store.post_log.append((user_id, at))


def _searchable(doc: dict[str, Any]) -> str:
    title = doc["title"] if doc["title_searchable"] else ""
    return f"{title} {doc['body']}".lower()


class FakeSearch:
    def __init__(self, store: Store) -> None:
        self.store = store

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
        session: Any,
        title_searchable: bool = True,
    ) -> None:
        self.store.search[(kind, object_id)] = {
            "community_id": community_id,
            "thread_id": thread_id,
            "title": title,
            "body": body,
            "title_searchable": title_searchable,
        }

    async def drop(self, kind: SearchKind, object_id: str, session: Any) -> None:
        self.store.search.pop((kind, object_id), None)

    async def drop_thread(self, thread_id: str, session: Any) -> None:
        self.store.search = {
            k: doc for k, doc in self.store.search.items() if doc["thread_id"] != thread_id
        }

    async def search(
        self, community_id: str, query: str, *, language: str, limit: int
    ) -> list[SearchHit]:
        words = query.lower().split()
        return [
            SearchHit(kind, object_id, doc["thread_id"], doc["title"], doc["body"][:200], 1.0)
            for (kind, object_id), doc in self.store.search.items()
            if doc["community_id"] == community_id and any(w in _searchable(doc) for w in words)
        ][:limit]


class FakeLibrary:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add_resource(self, resource: Resource, session: Any) -> None:
        self.store.resources[resource.id] = resource

    async def resource(self, resource_id: str, session: Any = None) -> Resource | None:
        return self.store.resources.get(resource_id)

    async def save_resource(self, resource: Resource, session: Any) -> None:
        self.store.resources[resource.id] = resource

    async def resources(
        self,
        community_id: str,
        *,
        sort: str,
        after: Position | None,
        limit: int,
        tag: str | None,
        include_hidden: bool,
    ) -> list[Resource]:
        shown = {Visibility.VISIBLE, Visibility.HIDDEN} if include_hidden else {Visibility.VISIBLE}
        found = [
            r
            for r in self.store.resources.values()
            if r.community_id == community_id
            and r.deleted_at is None
            and r.visibility in shown
            and (tag is None or tag in r.tags)
        ]

        def key(r: Resource) -> Position:
            if sort == "useful":
                return (len(r.useful_by), r.created_at, r.id)
            return (r.created_at, r.id)

        return _after(found, key, after, desc=True)[:limit]

    async def live_resources_by_author_since(
        self, community_id: str, author_id: str, since: datetime, session: Any
    ) -> list[Resource]:
        return _by_author_since(self.store.resources.values(), community_id, author_id, since)

    async def add_course(self, course: Course, session: Any) -> None:
        self.store.courses[course.id] = course

    async def course(self, course_id: str, session: Any = None) -> Course | None:
        return self.store.courses.get(course_id)

    async def save_course(self, course: Course, session: Any) -> None:
        self.store.courses[course.id] = course

    async def courses(
        self, community_id: str, *, after: Position | None, limit: int, drafts: bool
    ) -> list[Course]:
        found = [
            c
            for c in self.store.courses.values()
            if c.community_id == community_id and (drafts or c.published)
        ]
        return _after(found, lambda c: (c.created_at, c.id), after, desc=True)[:limit]

    async def add_lesson(self, lesson: Lesson, session: Any) -> None:
        self.store.lessons[lesson.id] = lesson

    async def save_lesson(self, lesson: Lesson, session: Any) -> None:
        self.store.lessons[lesson.id] = lesson

    async def lesson(self, lesson_id: str, session: Any = None) -> Lesson | None:
        return self.store.lessons.get(lesson_id)

    async def lessons(self, course_id: str, session: Any = None) -> list[Lesson]:
        return sorted(
            (x for x in self.store.lessons.values() if x.course_id == course_id),
            key=lambda x: x.position,
        )

    async def progress(self, course_id: str, user_id: str, session: Any = None) -> Progress | None:
        return self.store.progress.get((course_id, user_id))

    async def save_progress(self, progress: Progress, session: Any) -> None:
        self.store.progress[(progress.course_id, progress.user_id)] = progress

    async def enrolled(self, course_id: str, session: Any) -> list[str]:
        return sorted(u for (c, u) in self.store.progress if c == course_id)


class FakeModeration:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add_flag(self, flag: Flag, session: Any) -> None:
        self.store.flags[flag.id] = flag

    async def open_flags(
        self, community_id: str, *, after: Position | None, limit: int
    ) -> list[Flag]:
        found = [
            f
            for f in self.store.flags.values()
            if f.community_id == community_id and f.resolved_at is None
        ]
        return _after(found, lambda f: (f.created_at, f.id), after, desc=False)[:limit]

    async def open_flags_on(self, target_id: str, session: Any) -> list[Flag]:
        return [
            f
            for f in self.store.flags.values()
            if f.target_id == target_id and f.resolved_at is None
        ]

    async def resolve(
        self, flag_ids: Sequence[str], *, resolution: str, at: datetime, session: Any
    ) -> None:
        for flag_id in flag_ids:
            self.store.flags[flag_id] = replace(
                self.store.flags[flag_id], resolved_at=at, resolution=resolution
            )

    async def record(self, decision: Decision, session: Any) -> None:
        self.store.decisions.append(decision)

    async def decisions(
        self, community_id: str, *, after: Position | None, limit: int
    ) -> list[Decision]:
        found = [d for d in self.store.decisions if d.community_id == community_id]
        return _after(found, lambda d: (d.created_at, d.id), after, desc=True)[:limit]


class FakeConversations:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, conversation_id: str, session: Any = None) -> Conversation | None:
        return self.store.conversations.get(conversation_id)

    async def save(self, conversation: Conversation, session: Any) -> None:
        self.store.conversations[conversation.id] = copy.deepcopy(conversation)

    async def of(self, user_id: str, *, after: Position | None, limit: int) -> list[Conversation]:
        found = [c for c in self.store.conversations.values() if user_id in c.participants]
        return _after(found, lambda c: (c.last_message_at, c.id), after, desc=True)[:limit]

    async def add_message(self, message: Message, session: Any) -> None:
        self.store.messages.append(message)

    async def messages(
        self, conversation_id: str, *, after: Position | None, limit: int
    ) -> list[Message]:
        found = [m for m in self.store.messages if m.conversation_id == conversation_id]
        return _after(found, lambda m: (m.created_at, m.id), after, desc=True)[:limit]

    async def blocked(self, blocker_id: str, blocked_id: str, session: Any = None) -> bool:
        return (blocker_id, blocked_id) in self.store.blocks

    async def block(
        self, blocker_id: str, blocked_id: str, *, on: bool, session: Any = None
    ) -> None:
        if on:
            self.store.blocks.add((blocker_id, blocked_id))
        else:
            self.store.blocks.discard((blocker_id, blocked_id))

    async def blocks_of(self, blocker_id: str) -> list[str]:
        return sorted(b for a, b in self.store.blocks if a == blocker_id)


class World:
    """A content service in memory: the store, the fakes, and ways to set the scene."""

    def __init__(self, *, rate_limit: int = 5) -> None:
        self.store = Store()
        self.transactions = FakeTransactions(self.store)
        self.outbox = FakeOutbox(self.store)
        self.ports = Ports(
            transactions=self.transactions,
            outbox=self.outbox,
            inbox=FakeInbox(self.store, self.transactions),
            communities=FakeCommunityProjection(self.store),
            people=FakePeople(self.store),
            eraser=FakeEraser(self.store),
            threads=FakeThreads(self.store),
            replies=FakeReplies(self.store),
            revisions=FakeRevisions(self.store),
            reads=FakeReads(self.store),
            post_log=FakePostLog(self.store),
            search=FakeSearch(self.store),
            library=FakeLibrary(self.store),
            moderation=FakeModeration(self.store),
            conversations=FakeConversations(self.store),
            rate=PostingRate(limit=rate_limit, window=timedelta(minutes=1)),
        )

    def community(
        self,
        community_id: str = "c",
        *,
        visibility: str = "private",
        code_of_conduct_version: int = 1,
        archived: bool = False,
    ) -> str:
        """A community content knows."""
        self.store.communities[community_id] = CommunityState(
            community_id,
            name="Circle",
            visibility=visibility,
            language="en",
            archived=archived,
            code_of_conduct_version=code_of_conduct_version,
            described_at=NOW,
        )
        return community_id

    def member(
        self,
        user_id: str,
        community_id: str = "c",
        *,
        role: str = "member",
        standing: Standing = Standing.ACTIVE,
        accepted: int = 1,
        handle: str | None = None,
        verified: bool = True,
    ) -> str:
        """A person with a standing in a community (and a handle for @mentions), whose email
        address is verified unless ``verified`` is False."""
        self.store.memberships[(community_id, user_id)] = MemberState(
            community_id, user_id, role, standing, accepted, NOW
        )
        self.store.people[user_id] = Person(user_id, user_id.title(), handle)
        if verified:
            self.store.verified.add(user_id)
        else:
            self.store.verified.discard(user_id)
        return user_id

    def events(self, kind: type[E]) -> list[E]:
        """The published events of one kind, in order."""
        return [e for e in self.store.events if isinstance(e, kind)]

    def snapshot(self) -> dict[str, Any]:
        """Everything stored, to compare before and after a refused request."""
        return self.store.snapshot()
