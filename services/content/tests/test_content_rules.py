"""Content's rules without I/O: access, sanitizing, mentions, limits, moderation, progress,
messaging and ranking."""

from datetime import UTC, datetime, timedelta

import pytest

from cerchia_chassis.domain.community import CommunityState, MemberState, Standing
from cerchia_chassis.domain.errors import Conflict, Forbidden, NotFound, RateLimited
from content.domain.access import Viewer
from content.domain.discussions import Visibility
from content.domain.errors import InvalidContent
from content.domain.library import Lesson, Progress
from content.domain.limits import PostingRate, tags
from content.domain.markup import render
from content.domain.messages import check_can_message, conversation_id
from content.domain.moderation import Action, visibility_after
from content.domain.search import Candidate, rank, term_counts

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def viewer(
    standing: Standing | None = Standing.ACTIVE,
    *,
    role: str = "member",
    accepted: int = 1,
    current: int = 1,
    visibility: str = "private",
    archived: bool = False,
) -> Viewer:
    community = CommunityState("c", "Circle", visibility, "en", archived, current)
    membership = None if standing is None else MemberState("c", "u", role, standing, accepted, NOW)
    return Viewer("u", community, membership)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        (viewer(None, visibility="public"), "not-a-member"),
        (viewer(Standing.LEFT, visibility="public"), "not-a-member"),
        (viewer(Standing.BANNED), "banned"),
        (viewer(Standing.REMOVED), "removed"),
        (viewer(accepted=1, current=2), "code-of-conduct-not-accepted"),
        (viewer(archived=True), "archived"),
    ],
)
def test_posting_is_refused_with_the_reason(case: Viewer, code: str) -> None:
    with pytest.raises(Forbidden) as refused:
        case.require_post()
    assert refused.value.code == code


def test_reading_private_needs_membership_public_needs_no_ban() -> None:
    viewer().require_read()
    with pytest.raises(NotFound):
        viewer(None).require_read()
    viewer(None, visibility="public").require_read()
    with pytest.raises(Forbidden):
        viewer(Standing.BANNED, visibility="public").require_read()
    with pytest.raises(Forbidden):
        viewer(role="member").require_moderator()
    viewer(role="moderator").require_moderator()


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "![x](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        '<a href="https://e" onclick="alert(1)">x</a>',
        "<iframe src=https://evil></iframe>",
        "[x](JaVaScRiPt:alert(1))",
        "<svg onload=alert(1)>",
    ],
)
def test_markdown_never_yields_active_html(attack: str) -> None:
    html = render(f"hello {attack}", max_length=1000).html
    tag_texts = [part.split(">", 1)[0].lower() for part in html.split("<")[1:]]
    assert not [t for t in tag_texts if "script" in t or "javascript:" in t or " on" in t]
    assert not [t for t in tag_texts if t.startswith(("iframe", "svg", "img src=x"))]
    assert "data:" not in "".join(tag_texts)


def test_images_become_links_so_reading_tells_no_third_party_and_count_as_content() -> None:
    body = render("![chart](https://tracker.example/pixel.png)", max_length=500)
    assert "<img" not in body.html
    assert '<a href="https://tracker.example/pixel.png"' in body.html
    assert ">chart</a>" in body.html
    assert body.text == ""  # nothing to excerpt or index, yet the post is not empty


def test_mentions_skip_code_and_emails_and_excerpt_is_plain() -> None:
    body = render("Hi @Ada, @bo.b and ada@example.org `@code`\n\n    @block", max_length=500)
    assert body.mentioned_handles == ("ada", "bo.b")
    assert render("**bold** " + "word " * 100, max_length=1000).excerpt(30).endswith("…")
    with pytest.raises(InvalidContent):
        render("x" * 11, max_length=10)
    with pytest.raises(InvalidContent):
        render("  \n ", max_length=10)


def test_rate_limit_counts_the_window_and_says_when_to_retry() -> None:
    rate = PostingRate(limit=2, window=timedelta(seconds=60))
    rate.check([NOW - timedelta(seconds=90), NOW - timedelta(seconds=10)], now=NOW)
    with pytest.raises(RateLimited) as limited:
        rate.check([NOW - timedelta(seconds=30), NOW - timedelta(seconds=10)], now=NOW)
    assert limited.value.retry_after_s == 30


def test_tags_are_normalised_and_bounded() -> None:
    assert tags(["Open Source", "open-source", " "]) == ("open-source",)
    with pytest.raises(InvalidContent):
        tags([f"t{n}" for n in range(6)])


def test_removal_is_final_and_transitions_make_sense() -> None:
    assert visibility_after(Visibility.VISIBLE, Action.HIDE) is Visibility.HIDDEN
    assert visibility_after(Visibility.HIDDEN, Action.RESTORE) is Visibility.VISIBLE
    with pytest.raises(Conflict):
        visibility_after(Visibility.VISIBLE, Action.RESTORE)
    with pytest.raises(Conflict):
        visibility_after(Visibility.REMOVED, Action.RESTORE)


def test_progress_completes_the_course_once() -> None:
    body = render("x", max_length=10)
    lessons = [Lesson(f"l{n}", "k", "c", f"L{n}", body, n, NOW) for n in (1, 2)]
    progress = Progress("k", "u", NOW)
    progress, finished = progress.complete(lessons[0], total=2, now=NOW)
    assert not finished
    same, again = progress.complete(lessons[0], total=2, now=NOW)
    assert same == progress
    assert not again
    progress, finished = progress.complete(lessons[1], total=2, now=NOW)
    assert finished
    assert progress.completed_at == NOW


def test_messaging_rules_and_conversation_ids() -> None:
    assert conversation_id("a", "b") == conversation_id("b", "a")
    check_can_message(sender_id="a", recipient_id="b", share_community=True, blocked=False)
    for kwargs, code in [
        ({"share_community": False, "blocked": False}, "no-shared-community"),
        ({"share_community": True, "blocked": True}, "blocked"),
        ({"share_community": True, "blocked": False, "blocking": True}, "you-blocked-them"),
        ({"share_community": True, "blocked": True, "blocking": True}, "blocked"),
    ]:
        with pytest.raises(Forbidden) as refused:
            check_can_message(sender_id="a", recipient_id="b", **kwargs)
        assert refused.value.code == code


def test_ranking_prefers_titles_and_rare_terms() -> None:
    title = term_counts(title="Gardening", body="notes", language="en")
    body = term_counts(title="Notes", body="some gardening here", language="en")
    ranked = rank(
        [Candidate("t", title, sum(title.values())), Candidate("b", body, sum(body.values()))],
        ["garden"],
        document_frequency={"garden": 2},
        total_documents=10,
    )
    assert [key for key, _ in ranked] == ["t", "b"]
