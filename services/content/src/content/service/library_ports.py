"""What the library use cases need to store: resources, courses, lessons and progress."""

from datetime import datetime
from typing import Literal, Protocol

from cerchia_chassis.domain.cursors import Position
from cerchia_chassis.ports import Session
from content.domain.library import Course, Lesson, Progress, Resource

ResourceSort = Literal["recent", "useful"]


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

    async def live_resources_by_author_since(
        self, community_id: str, author_id: str, since: datetime, session: Session
    ) -> list[Resource]:
        """The author's live resources in the community shared at or after ``since``."""
        ...

    async def add_course(self, course: Course, session: Session) -> None: ...

    async def course(self, course_id: str, session: Session = None) -> Course | None: ...

    async def save_course(self, course: Course, session: Session) -> None: ...

    async def courses(
        self, community_id: str, *, after: Position | None, limit: int, drafts: bool
    ) -> list[Course]: ...

    async def add_lesson(self, lesson: Lesson, session: Session) -> None: ...

    async def save_lesson(self, lesson: Lesson, session: Session) -> None: ...

    async def lesson(self, lesson_id: str, session: Session = None) -> Lesson | None: ...

    async def lessons(self, course_id: str, session: Session = None) -> list[Lesson]: ...

    async def progress(
        self, course_id: str, user_id: str, session: Session = None
    ) -> Progress | None: ...

    async def save_progress(self, progress: Progress, session: Session) -> None: ...

    async def enrolled(self, course_id: str, session: Session) -> list[str]: ...
