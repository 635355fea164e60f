"""What the discussion use cases need to store: threads, replies, history, reading and pace."""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol

from cerchia_chassis.domain.cursors import Position
from cerchia_chassis.ports import Session
from content.domain.discussions import Reply, Revision, Thread

ThreadSort = Literal["activity", "newest"]


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
        unread_for: str | None = None,
    ) -> list[Thread]:
        """Threads in ``sort`` order after ``after``; with ``unread_for``, only those with
        activity that member has not read (filtered before the limit, so pages are full)."""
        ...

    async def categories(self, community_id: str) -> dict[str, int]: ...

    async def live_by_author_since(
        self, community_id: str, author_id: str, since: datetime, session: Session
    ) -> list[Thread]:
        """The author's live threads in the community opened at or after ``since``."""
        ...


class Replies(Protocol):
    """Replies by id and by thread."""

    async def add(self, reply: Reply, session: Session) -> None: ...

    async def get(self, reply_id: str, session: Session = None) -> Reply | None: ...

    async def save(self, reply: Reply, session: Session) -> None: ...

    async def page(
        self, thread_id: str, *, after: Position | None, limit: int, include_hidden: bool
    ) -> list[Reply]: ...

    async def live_in(self, thread_id: str, session: Session) -> list[Reply]:
        """The thread's replies that are neither deleted nor hidden nor removed."""
        ...

    async def live_by_author_since(
        self, community_id: str, author_id: str, since: datetime, session: Session
    ) -> list[Reply]:
        """The author's live replies in the community posted at or after ``since``."""
        ...


class Revisions(Protocol):
    """Earlier versions of edited posts."""

    async def add(self, revision: Revision, session: Session) -> None: ...

    async def of(self, post_id: str) -> list[Revision]: ...

    async def drop(self, post_id: str, session: Session) -> None:
        """Forget every earlier version of a post."""
        ...


class ReadMarkers(Protocol):
    """When each member last read each thread."""

    async def mark(self, thread_id: str, user_id: str, at: datetime) -> None: ...

    async def read_at(self, user_id: str, thread_ids: Sequence[str]) -> dict[str, datetime]: ...


class PostLog(Protocol):
    """Recent posting times per member, for the rate limit."""

    async def recent(self, user_id: str, since: datetime, session: Session) -> list[datetime]: ...

    async def record(self, user_id: str, at: datetime, session: Session) -> None: ...

    async def fence(self, user_id: str, session: Session) -> None:
        """Touch what every post of the member touches, so a transaction doing this conflicts
        with (and is ordered against) any concurrent post of theirs."""
        ...
