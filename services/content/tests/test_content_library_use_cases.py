"""Library use cases with in-memory fakes: resources, courses, draft lessons, edits, progress."""

import pytest

from cerchia_chassis.domain.errors import Conflict, Forbidden, NotFound
from cerchia_contracts.events import content as c
from content.domain.errors import InvalidContent
from content.service import courses, lessons, resources
from content.service.resources import NewResource, ResourceEdit
from services.content.tests.content_fakes import World

pytestmark = pytest.mark.unit


def circle() -> World:
    world = World()
    world.community()
    world.member("olga", role="owner")
    world.member("ada")
    world.member("bo")
    return world


async def test_sharing_and_editing_a_resource_reindexes_it_and_tells_the_library() -> None:
    world = circle()
    shared = await resources.share_resource(
        "c",
        "ada",
        NewResource(title="Team Topologies", kind="book", url="https://example.org/tt"),
        ports=world.ports,
    )
    assert world.store.search[("resource", shared.id)]["title"] == "Team Topologies"
    (event,) = world.events(c.ResourceSharedV1)
    assert event.data.url == "https://example.org/tt"

    before = world.snapshot()
    with pytest.raises(Forbidden) as refused:
        await resources.edit_resource(
            shared.id, "olga", ResourceEdit(title="Mine now"), ports=world.ports
        )
    assert refused.value.code == "not-the-author"  # moderators hide; only the author edits
    with pytest.raises(InvalidContent):  # a resource keeps a link or a note
        await resources.edit_resource(
            shared.id, "ada", ResourceEdit(cleared=frozenset({"url"})), ports=world.ports
        )
    assert world.snapshot() == before

    edited = await resources.edit_resource(
        shared.id,
        "ada",
        ResourceEdit(
            title="Team Topologies, 2nd ed.",
            description="Chapter **4**.",
            tags=("Org",),
            cleared=frozenset({"url"}),
        ),
        ports=world.ports,
    )
    assert (edited.url, edited.tags, edited.kind) == (None, ("org",), "book")
    assert edited.edited_at is not None
    assert world.store.resources[shared.id] == edited
    indexed = world.store.search[("resource", shared.id)]
    assert (indexed["title"], indexed["body"]) == ("Team Topologies, 2nd ed.", "Chapter 4.")
    (edit_event,) = world.events(c.ResourceEditedV1)
    assert (edit_event.data.url, edit_event.data.excerpt) == (None, "Chapter 4.")
    assert world.outbox.commits == 2


async def test_marking_useful_is_announced_once_and_deleting_is_for_author_or_moderator() -> None:
    world = circle()
    shared = await resources.share_resource(
        "c", "ada", NewResource(title="Note", kind="note", description="text"), ports=world.ports
    )
    for _ in range(2):
        await resources.mark_useful(shared.id, "bo", on=True, ports=world.ports)
    (useful,) = world.events(c.ResourceMarkedUsefulV1)
    assert useful.data.useful_count == 1
    with pytest.raises(Forbidden):
        await resources.delete_resource(shared.id, "bo", ports=world.ports)
    await resources.delete_resource(shared.id, "olga", ports=world.ports)
    assert ("resource", shared.id) not in world.store.search
    with pytest.raises(NotFound):
        await resources.readable_resource(shared.id, "ada", ports=world.ports)


async def test_only_moderators_draft_courses_and_drafts_stay_hidden_from_members() -> None:
    world = circle()
    before = world.snapshot()
    with pytest.raises(Forbidden):
        await courses.create_course("c", "ada", title="C", summary="S", ports=world.ports)
    assert world.snapshot() == before
    course = await courses.create_course(
        "c", "olga", title="Facilitation", summary="Basics", ports=world.ports
    )
    with pytest.raises(NotFound):
        await courses.course_detail(course.id, "ada", ports=world.ports)
    with pytest.raises(Conflict) as empty:
        await courses.publish_course(course.id, "olga", ports=world.ports)
    assert empty.value.code == "no-lessons"


async def test_publishing_a_course_publishes_its_ready_lessons_and_holds_back_drafts() -> None:
    world = circle()
    course = await courses.create_course("c", "olga", title="F", summary="S", ports=world.ports)
    ready = await lessons.add_lesson(course.id, "olga", title="L1", body="one", ports=world.ports)
    draft = await lessons.add_lesson(
        course.id, "olga", title="L2", body="two", draft=True, ports=world.ports
    )
    assert (ready.position, draft.position) == (1, 2)
    assert world.events(c.LessonPublishedV1) == []  # nothing is live in a draft course

    await courses.publish_course(course.id, "olga", ports=world.ports)
    (published,) = world.events(c.CoursePublishedV1)
    assert published.data.lesson_count == 1
    assert [e.data.lesson_id for e in world.events(c.LessonPublishedV1)] == [ready.id]
    assert world.store.lessons[ready.id].published_at is not None
    assert world.store.lessons[draft.id].published_at is None

    seen = await courses.course_detail(course.id, "ada", ports=world.ports)
    assert [x.id for x in seen.lessons] == [ready.id]
    with pytest.raises(NotFound):
        await lessons.read_lesson(draft.id, "ada", ports=world.ports)
    own = await courses.course_detail(course.id, "olga", ports=world.ports)
    assert [x.id for x in own.lessons] == [ready.id, draft.id]


async def test_a_lesson_published_later_is_announced_and_counts_for_completion() -> None:
    world = circle()
    course = await courses.create_course("c", "olga", title="F", summary="S", ports=world.ports)
    first = await lessons.add_lesson(course.id, "olga", title="L1", body="1", ports=world.ports)
    later = await lessons.add_lesson(
        course.id, "olga", title="L2", body="2", draft=True, ports=world.ports
    )
    await courses.publish_course(course.id, "olga", ports=world.ports)
    await courses.enrol(course.id, "ada", ports=world.ports)
    with pytest.raises(NotFound):  # members cannot complete what they cannot see
        await lessons.complete_lesson(later.id, "ada", ports=world.ports)
    with pytest.raises(NotFound):  # nor learn that a draft exists
        await lessons.publish_lesson(later.id, "ada", ports=world.ports)

    await lessons.publish_lesson(later.id, "olga", ports=world.ports)
    announced = world.events(c.LessonPublishedV1)[-1]
    assert (announced.data.lesson_id, announced.data.enrolled_user_ids) == (later.id, ("ada",))
    with pytest.raises(Conflict):
        await lessons.publish_lesson(later.id, "olga", ports=world.ports)

    await lessons.complete_lesson(first.id, "ada", ports=world.ports)
    progress = await lessons.complete_lesson(later.id, "ada", ports=world.ports)
    assert progress.completed_at is not None
    completed = world.events(c.LessonCompletedV1)
    assert [(e.data.completed_lessons, e.data.total_lessons) for e in completed] == [(1, 2), (2, 2)]
    assert len(world.events(c.CourseCompletedV1)) == 1


async def test_completing_needs_enrolment_and_refusals_write_nothing() -> None:
    world = circle()
    course = await courses.create_course("c", "olga", title="F", summary="S", ports=world.ports)
    lesson = await lessons.add_lesson(course.id, "olga", title="L", body="1", ports=world.ports)
    await courses.publish_course(course.id, "olga", ports=world.ports)
    before = world.snapshot()
    with pytest.raises(Conflict) as refused:
        await lessons.complete_lesson(lesson.id, "ada", ports=world.ports)
    assert refused.value.code == "not-enrolled"
    assert world.snapshot() == before


async def test_edits_of_courses_and_lessons_are_announced_only_once_members_can_see_them() -> None:
    world = circle()
    course = await courses.create_course("c", "olga", title="F", summary="S", ports=world.ports)
    lesson = await lessons.add_lesson(course.id, "olga", title="L", body="1", ports=world.ports)
    await courses.edit_course(
        course.id, "olga", title="Facilitation", summary=None, ports=world.ports
    )
    await lessons.edit_lesson(lesson.id, "olga", title=None, body="one", ports=world.ports)
    assert world.events(c.CourseEditedV1) == []
    assert world.events(c.LessonEditedV1) == []
    assert world.store.courses[course.id].title == "Facilitation"
    assert world.store.lessons[lesson.id].body.markdown == "one"

    await courses.publish_course(course.id, "olga", ports=world.ports)
    with pytest.raises(Forbidden):
        await courses.edit_course(course.id, "ada", title="Mine", summary=None, ports=world.ports)
    with pytest.raises(Forbidden):
        await lessons.edit_lesson(lesson.id, "ada", title="Mine", body=None, ports=world.ports)
    await courses.edit_course(
        course.id, "olga", title=None, summary="New **summary**", ports=world.ports
    )
    await lessons.edit_lesson(lesson.id, "olga", title="Lesson one", body=None, ports=world.ports)
    (course_event,) = world.events(c.CourseEditedV1)
    assert (course_event.data.course_title, course_event.data.excerpt) == (
        "Facilitation",
        "New summary",
    )
    (lesson_event,) = world.events(c.LessonEditedV1)
    assert (lesson_event.data.lesson_title, lesson_event.data.excerpt) == ("Lesson one", "one")
