"""Resources, courses, lessons and progress in MongoDB."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.domain.cursors import Position
from cerchia_chassis.mongo import Document, Indexes, Session
from content.adapters.documents import (
    SortOrder,
    after_filter,
    body_document,
    body_from,
    live_by_author_since,
)
from content.domain.discussions import Visibility
from content.domain.library import Course, Lesson, Progress, Resource
from content.service.library_ports import ResourceSort

RESOURCES = "resources"
COURSES = "courses"
LESSONS = "lessons"
PROGRESS = "progress"

_RESOURCE_ORDER: dict[str, SortOrder] = {
    "useful": (("useful_count", DESCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
    "recent": (("created_at", DESCENDING), ("_id", DESCENDING)),
}
_COURSE_ORDER: SortOrder = (("created_at", DESCENDING), ("_id", DESCENDING))


class MongoLibrary:
    """The library's collections."""

    indexes: Sequence[Indexes] = (
        Indexes(
            RESOURCES,
            (
                IndexModel(
                    [("community_id", ASCENDING), *_RESOURCE_ORDER["useful"]], name="useful"
                ),
                IndexModel(
                    [("community_id", ASCENDING), *_RESOURCE_ORDER["recent"]], name="recent"
                ),
            ),
        ),
        Indexes(
            COURSES, (IndexModel([("community_id", ASCENDING), *_COURSE_ORDER], name="recent"),)
        ),
        Indexes(
            LESSONS,
            (IndexModel([("course_id", ASCENDING), ("position", ASCENDING)], name="order"),),
        ),
        Indexes(
            PROGRESS,
            (IndexModel([("course_id", ASCENDING), ("user_id", ASCENDING)], name="course"),),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._resources = db[RESOURCES]
        self._courses = db[COURSES]
        self._lessons = db[LESSONS]
        self._progress = db[PROGRESS]

    async def add_resource(self, resource: Resource, session: Session) -> None:
        """Insert a resource."""
        await self._resources.insert_one(
            {"_id": resource.id, **_resource_fields(resource)}, session=session
        )

    async def save_resource(self, resource: Resource, session: Session) -> None:
        """Replace a resource's stored state."""
        await self._resources.replace_one(
            {"_id": resource.id}, _resource_fields(resource), session=session
        )

    async def resource(self, resource_id: str, session: Session | None = None) -> Resource | None:
        """The resource with this id."""
        doc = await self._resources.find_one({"_id": resource_id}, session=session)
        return None if doc is None else _resource(doc)

    async def resources(
        self,
        community_id: str,
        *,
        sort: ResourceSort,
        after: Position | None,
        limit: int,
        tag: str | None,
        include_hidden: bool,
    ) -> list[Resource]:
        """A community's resources in ``sort`` order."""
        order = _RESOURCE_ORDER[sort]
        visibilities = ["visible", "hidden"] if include_hidden else ["visible"]
        query: dict[str, Any] = {
            "community_id": community_id,
            "deleted_at": None,
            "visibility": {"$in": visibilities},
        }
        if tag is not None:
            query["tags"] = tag
        query.update(after_filter(order, after))
        docs = await self._resources.find(query).sort(list(order)).limit(limit).to_list()
        return [_resource(doc) for doc in docs]

    async def live_resources_by_author_since(
        self, community_id: str, author_id: str, since: datetime, session: Session
    ) -> list[Resource]:
        """The author's live resources in the community shared at or after ``since``."""
        docs = await self._resources.find(
            live_by_author_since(community_id, author_id, since), session=session
        ).to_list()
        return [_resource(doc) for doc in docs]

    async def add_course(self, course: Course, session: Session) -> None:
        """Insert a course."""
        await self._courses.insert_one(
            {"_id": course.id, **_course_fields(course)}, session=session
        )

    async def save_course(self, course: Course, session: Session) -> None:
        """Replace a course's stored state."""
        await self._courses.replace_one({"_id": course.id}, _course_fields(course), session=session)

    async def course(self, course_id: str, session: Session | None = None) -> Course | None:
        """The course with this id."""
        doc = await self._courses.find_one({"_id": course_id}, session=session)
        return None if doc is None else _course(doc)

    async def courses(
        self, community_id: str, *, after: Position | None, limit: int, drafts: bool
    ) -> list[Course]:
        """A community's courses, newest first."""
        query: dict[str, Any] = {"community_id": community_id}
        if not drafts:
            query["published_at"] = {"$ne": None}
        query.update(after_filter(_COURSE_ORDER, after))
        docs = await self._courses.find(query).sort(list(_COURSE_ORDER)).limit(limit).to_list()
        return [_course(doc) for doc in docs]

    async def add_lesson(self, lesson: Lesson, session: Session) -> None:
        """Insert a lesson."""
        await self._lessons.insert_one(
            {"_id": lesson.id, **_lesson_fields(lesson)}, session=session
        )

    async def save_lesson(self, lesson: Lesson, session: Session) -> None:
        """Replace a lesson's stored state."""
        await self._lessons.replace_one({"_id": lesson.id}, _lesson_fields(lesson), session=session)

    async def lesson(self, lesson_id: str, session: Session | None = None) -> Lesson | None:
        """The lesson with this id."""
        doc = await self._lessons.find_one({"_id": lesson_id}, session=session)
        return None if doc is None else _lesson(doc)

    async def lessons(self, course_id: str, session: Session | None = None) -> list[Lesson]:
        """A course's lessons in order."""
        docs = (
            await self._lessons.find({"course_id": course_id}, session=session)
            .sort("position", ASCENDING)
            .to_list()
        )
        return [_lesson(doc) for doc in docs]

    async def progress(
        self, course_id: str, user_id: str, session: Session | None = None
    ) -> Progress | None:
        """A member's progress in a course, if enrolled."""
        doc = await self._progress.find_one({"_id": f"{course_id}:{user_id}"}, session=session)
        if doc is None:
            return None
        return Progress(
            course_id=doc["course_id"],
            user_id=doc["user_id"],
            enrolled_at=doc["enrolled_at"],
            completed_lesson_ids=tuple(doc["completed_lesson_ids"]),
            completed_at=doc.get("completed_at"),
        )

    async def save_progress(self, progress: Progress, session: Session) -> None:
        """Store a member's progress."""
        await self._progress.replace_one(
            {"_id": f"{progress.course_id}:{progress.user_id}"},
            {
                "course_id": progress.course_id,
                "user_id": progress.user_id,
                "enrolled_at": progress.enrolled_at,
                "completed_lesson_ids": list(progress.completed_lesson_ids),
                "completed_at": progress.completed_at,
            },
            upsert=True,
            session=session,
        )

    async def enrolled(self, course_id: str, session: Session) -> list[str]:
        """Members enrolled in a course."""
        docs = await self._progress.find({"course_id": course_id}, session=session).to_list()
        return sorted(doc["user_id"] for doc in docs)


def _resource_fields(resource: Resource) -> dict[str, Any]:
    return {
        "community_id": resource.community_id,
        "author_id": resource.author_id,
        "title": resource.title,
        "kind": resource.kind,
        "url": resource.url,
        "description": body_document(resource.description) if resource.description else None,
        "tags": list(resource.tags),
        "created_at": resource.created_at,
        "useful_by": list(resource.useful_by),
        "useful_count": len(resource.useful_by),
        "deleted_at": resource.deleted_at,
        "visibility": resource.visibility.value,
        "edited_at": resource.edited_at,
    }


def _resource(doc: Document) -> Resource:
    return Resource(
        id=doc["_id"],
        community_id=doc["community_id"],
        author_id=doc.get("author_id"),
        title=doc["title"],
        kind=doc["kind"],
        url=doc.get("url"),
        description=body_from(doc["description"]) if doc.get("description") else None,
        tags=tuple(doc.get("tags", ())),
        created_at=doc["created_at"],
        useful_by=tuple(doc.get("useful_by", ())),
        deleted_at=doc.get("deleted_at"),
        visibility=Visibility(doc["visibility"]),
        edited_at=doc.get("edited_at"),
    )


def _course_fields(course: Course) -> dict[str, Any]:
    return {
        "community_id": course.community_id,
        "author_id": course.author_id,
        "title": course.title,
        "summary": body_document(course.summary),
        "created_at": course.created_at,
        "published_at": course.published_at,
        "lesson_count": course.lesson_count,
        "published_lessons": course.published_lessons,
        "edited_at": course.edited_at,
    }


def _course(doc: Document) -> Course:
    return Course(
        id=doc["_id"],
        community_id=doc["community_id"],
        author_id=doc.get("author_id"),
        title=doc["title"],
        summary=body_from(doc["summary"]),
        created_at=doc["created_at"],
        published_at=doc.get("published_at"),
        lesson_count=doc.get("lesson_count", 0),
        # Courses stored before lessons could be drafts had no draft lessons.
        published_lessons=doc["published_lessons"]
        if "published_lessons" in doc
        else doc.get("lesson_count", 0),
        edited_at=doc.get("edited_at"),
    )


def _lesson_fields(lesson: Lesson) -> dict[str, Any]:
    return {
        "course_id": lesson.course_id,
        "community_id": lesson.community_id,
        "title": lesson.title,
        "body": body_document(lesson.body),
        "position": lesson.position,
        "created_at": lesson.created_at,
        "draft": lesson.draft,
        "published_at": lesson.published_at,
        "edited_at": lesson.edited_at,
    }


def _lesson(doc: Document) -> Lesson:
    return Lesson(
        id=doc["_id"],
        course_id=doc["course_id"],
        community_id=doc["community_id"],
        title=doc["title"],
        body=body_from(doc["body"]),
        position=doc["position"],
        created_at=doc["created_at"],
        draft=doc.get("draft", False),
        published_at=doc.get("published_at"),
        edited_at=doc.get("edited_at"),
    )
