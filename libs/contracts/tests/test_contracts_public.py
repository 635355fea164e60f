"""The integrators' topics: what is public, what each public event may carry, how twins are made."""

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from cerchia_contracts.catalog import CATALOG, topic_of
from cerchia_contracts.events import content as c
from cerchia_contracts.events import membership as m
from cerchia_contracts.events import public as p
from cerchia_contracts.public_views import VIEWS, view_of

pytestmark = pytest.mark.unit

PUBLIC_TOPICS = {"membership.public.v1", "content.public.v1", "events.public.v1"}

#: Field names that name or describe a person, carry what a person wrote, or give away a place
#: or a secret. None of them may appear in a public event.
PERSONAL = re.compile(
    r"(^|_)(email|user_ids?|actor_id|author_id|owner_id|invited_by|display_name|handle|"
    r"excerpt|note|reason|body|markdown|html|venue|online_link|host_ids|attendee_ids|"
    r"waitlist_ids|follower_ids|recipient.*|mentioned.*|enrolled.*|token|city|asks|offers|"
    r"applicant_id|requester_id|sender_id|blocker_id|blocked_id)$"
)


def data_fields(event: type[Any]) -> dict[str, Any]:
    return dict(event.model_fields["data"].annotation.model_fields)


def test_only_the_integrators_topics_are_public() -> None:
    assert {t.name for t in CATALOG if not t.internal} == PUBLIC_TOPICS
    for topic in CATALOG:
        if topic.internal:
            assert topic.name not in PUBLIC_TOPICS
        else:
            assert topic.consumers == ()  # no service depends on what integrators read


@pytest.mark.parametrize(
    "event", [e for t in CATALOG if not t.internal for e in t.events], ids=lambda e: e.__name__
)
def test_public_events_carry_no_personal_field(event: type[Any]) -> None:
    personal = [name for name in data_fields(event) if PERSONAL.search(name)]
    assert personal == []


def test_every_public_event_mirrors_an_internal_one_of_the_same_producer() -> None:
    targets = {view.target for view in VIEWS}
    public_events = {e for t in CATALOG if not t.internal for e in t.events}
    assert public_events - targets == {p.PublicCommunityWithdrawnV1}  # made by a build function
    for view in VIEWS:
        source, target = topic_of(view.source), topic_of(view.target)
        assert source.internal
        assert not target.internal
        assert source.producer == target.producer


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.source.__name__)
def test_a_twin_copies_fields_its_source_has_with_the_same_type(view: Any) -> None:
    source = data_fields(view.source)
    for name, field in data_fields(view.target).items():
        if view.target is p.PublicCommunityWithdrawnV1 and name == "visibility":
            continue
        assert name in source, f"{view.target.__name__}.{name} is not in {view.source.__name__}"
        assert field.annotation == source[name].annotation


def _thread(community: str = "c1") -> c.ThreadCreatedV1:
    return c.ThreadCreatedV1.new(
        subject=community,
        data=c.ThreadCreated(
            community_id=community,
            actor_id="ada",
            thread_id="t1",
            thread_title="How do you review code?",
            thread_author_id="ada",
            excerpt="I wrote this in my diary, ada@example.org",
            mentioned_user_ids=("bo",),
            tags=("review",),
        ),
    )


def test_a_twin_keeps_subject_and_time_and_takes_a_derived_id() -> None:
    event = _thread()
    view = view_of(event)
    assert view is not None
    twin = view.twin(event)
    assert isinstance(twin, p.PublicThreadCreatedV1)
    assert (twin.subject, twin.time, twin.source) == (event.subject, event.time, event.source)
    assert twin.id != event.id
    assert twin.id == view.twin(event).id  # republishing makes the same twin
    assert uuid.UUID(twin.id)
    wire = twin.model_dump_json()
    assert "ada" not in wire
    assert "diary" not in wire
    assert twin.data.thread_title == "How do you review code?"


def _updated(visibility: str, previous: str | None) -> m.CommunityUpdatedV1:
    return m.CommunityUpdatedV1.new(
        subject="c1",
        time=datetime.now(UTC),
        data=m.CommunityUpdated(
            community_id="c1",
            actor_id="ada",
            slug="py",
            name="Python a Bologna",
            purpose="Grow together.",
            audience="Developers.",
            language="it",
            visibility=visibility,  # type: ignore[arg-type]
            join_policy="open",
            capacity=50,
            owner_id="ada",
            code_of_conduct_version=1,
            previous_visibility=previous,  # type: ignore[arg-type]
        ),
    )


def test_a_community_update_is_public_while_public_and_withdrawn_when_it_stops() -> None:
    view = view_of(_updated("public", "public"))
    assert view is not None
    assert view.decides_itself
    assert isinstance(view.twin(_updated("public", "private")), p.PublicCommunityUpdatedV1)
    withdrawn = view.twin(_updated("private", "public"))
    assert isinstance(withdrawn, p.PublicCommunityWithdrawnV1)
    assert withdrawn.data.visibility == "private"
    assert "Python" not in withdrawn.model_dump_json()
    assert view.twin(_updated("unlisted", "private")) is None
    assert view.twin(_updated("private", None)) is None


def test_private_facts_have_no_twin() -> None:
    for event in (
        m.MemberJoinedV1,
        m.ApplicationRejectedV1,
        m.IntroductionRequestedV1,
        m.UserRegisteredV1,
        c.DirectMessageSentV1,
        c.MemberMentionedV1,
        c.PostFlaggedV1,
    ):
        assert all(view.source is not event for view in VIEWS)
