"""Editing forms send only what changed, spelt as the platform compares it; a moved thread's
category is named as the platform files it; the edit routes win over the catch-all actions."""

from typing import Any

import pytest
from starlette.routing import Match

from web.domain.editing import (
    COURSE_FIELDS,
    LESSON_FIELDS,
    RESOURCE_FIELDS,
    category_name,
    changes,
    values_of,
)
from web.entrypoints import discussions, library

pytestmark = pytest.mark.unit

RESOURCE: dict[str, Any] = {
    "id": "r1",
    "title": "Note G",
    "kind": "article",
    "url": "https://example.org/",
    "description_markdown": "The *first* program.\nStep by step.",
    "description_html": "<p>The <em>first</em> program.</p>",
    "tags": ["history", "engines"],
}


def test_the_edit_form_shows_the_sources_not_the_rendered_html() -> None:
    assert values_of(RESOURCE, RESOURCE_FIELDS) == {
        "title": "Note G",
        "kind": "article",
        "url": "https://example.org/",
        "description": "The *first* program.\nStep by step.",
        "tags": "history, engines",
    }
    lesson = {"title": "The mill", "body_markdown": "Gears.", "body_html": "<p>Gears.</p>"}
    assert values_of(lesson, LESSON_FIELDS) == {"title": "The mill", "body": "Gears."}


def test_an_unchanged_form_sends_nothing_whatever_the_browser_did_to_it() -> None:
    form = values_of(RESOURCE, RESOURCE_FIELDS) | {
        "url": "https://example.org",  # the platform added the "/"
        "description": "The *first* program.\r\nStep by step.\r\n",  # a textarea's CRLF
    }
    assert changes(RESOURCE, form, RESOURCE_FIELDS, tags=["History", "engines"]) == {}


def test_only_the_changed_fields_are_sent_and_a_blank_optional_one_is_emptied() -> None:
    form = values_of(RESOURCE, RESOURCE_FIELDS) | {"title": "Note G, annotated", "url": ""}
    assert changes(RESOURCE, form, RESOURCE_FIELDS, tags=["history", "engines"]) == {
        "title": "Note G, annotated",
        "url": None,
    }
    # A blank optional field that was already empty is not news; new tags are.
    note = RESOURCE | {"url": None}
    form = values_of(note, RESOURCE_FIELDS) | {"url": ""}
    assert changes(note, form, RESOURCE_FIELDS, tags=["history", "looms"]) == {
        "tags": ["history", "looms"]
    }


def test_a_blank_required_field_is_sent_for_the_platform_to_refuse() -> None:
    course = {"title": "Reading Lovelace", "summary_markdown": "Two lessons."}
    form = {"title": "Reading Lovelace", "summary": " "}
    assert changes(course, form, COURSE_FIELDS) == {"summary": ""}


@pytest.mark.parametrize(
    ("typed", "filed"),
    [("Craft", "craft"), ("  Looms  and cards ", "looms-and-cards"), ("", None), ("  ", None)],
)
def test_a_category_is_named_as_the_platform_files_it(typed: str, filed: str | None) -> None:
    assert category_name(typed) == filed


@pytest.mark.parametrize(
    ("method", "path", "endpoint"),
    [
        ("GET", "/communities/c/threads/t/delete", "delete_thread_page"),
        ("POST", "/communities/c/threads/t/delete", "delete_thread"),
        ("GET", "/communities/c/threads/t/replies/r/delete", "delete_reply_page"),
        ("POST", "/communities/c/threads/t/replies/r/delete", "delete_reply"),
        ("GET", "/communities/c/threads/t/move", "move_thread_page"),
        ("POST", "/communities/c/threads/t/move", "move_thread"),
        ("GET", "/communities/c/library/r/edit", "edit_resource_page"),
        ("POST", "/communities/c/library/r/edit", "edit_resource"),
        ("POST", "/communities/c/courses/k/edit", "edit_course"),
        ("POST", "/communities/c/courses/k/lessons/l/edit", "edit_lesson"),
    ],
)
def test_the_new_pages_are_reached_before_any_catch_all_route(
    method: str, path: str, endpoint: str
) -> None:
    router = library.router if "/threads/" not in path else discussions.router
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    first = next(r for r in router.routes if r.matches(scope)[0] is Match.FULL)
    assert getattr(first, "name", None) == endpoint
