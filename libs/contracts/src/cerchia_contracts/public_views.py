"""Which internal event has a public twin, and how the twin is made.

The producing service's outbox writes the twin in the same transaction as the internal event
(``cerchia_chassis.outbox``), but only when the service says the event's community (and, for a
gathering, the gathering itself) is public at that moment: that decision needs the producer's
own state, the rest is here, free of I/O. A twin copies the fields its public model declares
(a subset of the internal event's, checked by the contract tests), keeps the internal event's
subject and time, and takes an id derived from the internal event's id.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.envelope import CloudEvent, EventData
from cerchia_contracts.events import content as c
from cerchia_contracts.events import gatherings as g
from cerchia_contracts.events import membership as m
from cerchia_contracts.events import public as p

#: Namespace of the public twins' ids: uuid5(namespace, internal event id).
TWIN_NAMESPACE = uuid.UUID("6b1f4d2e-3c9a-5e70-9a51-2f0c4e8d7b13")


@dataclass(frozen=True)
class PublicView:
    """The public twin of one internal event type.

    ``gathering`` says whether the twin also needs the gathering to be public (events service);
    ``decides_itself`` marks a view whose event carries its own visibility (a community's
    update), so the producer is not asked.
    """

    source: type[AnyEvent]
    target: type[AnyEvent]
    gathering: bool = False
    decides_itself: bool = False
    build: Callable[[AnyEvent], AnyEvent | None] | None = None

    def twin(self, event: AnyEvent) -> AnyEvent | None:
        """The public event mirroring ``event`` (None when this one has no twin)."""
        if self.build is not None:
            return self.build(event)
        return mirror(event, self.target)


def mirror(event: AnyEvent, target: type[CloudEvent[Any]]) -> AnyEvent:
    """``target`` carrying the fields of ``event.data`` that its public model declares."""
    data_model: type[EventData] = target.model_fields["data"].annotation  # type: ignore[assignment]
    data = data_model.model_validate(event.data.model_dump(include=set(data_model.model_fields)))
    return target(
        id=str(uuid.uuid5(TWIN_NAMESPACE, event.id)),
        source=event.source,
        type=target.event_type(),
        time=event.time,
        subject=event.subject,
        data=data,
    )


def _community_updated(event: AnyEvent) -> AnyEvent | None:
    data = event.data
    if not isinstance(data, m.CommunityUpdated):
        return None
    if data.visibility == "public":
        return mirror(event, p.PublicCommunityUpdatedV1)
    if data.previous_visibility == "public":
        return mirror(event, p.PublicCommunityWithdrawnV1)
    return None


def _community_created(event: AnyEvent) -> AnyEvent | None:
    data = event.data
    if isinstance(data, m.CommunityCreated) and data.visibility == "public":
        return mirror(event, p.PublicCommunityCreatedV1)
    return None


VIEWS: tuple[PublicView, ...] = (
    # membership.communities.v1 -> membership.public.v1
    PublicView(
        m.CommunityCreatedV1,
        p.PublicCommunityCreatedV1,
        decides_itself=True,
        build=_community_created,
    ),
    PublicView(
        m.CommunityUpdatedV1,
        p.PublicCommunityUpdatedV1,
        decides_itself=True,
        build=_community_updated,
    ),
    PublicView(m.CommunityArchivedV1, p.PublicCommunityArchivedV1),
    PublicView(m.CodeOfConductPublishedV1, p.PublicCodeOfConductPublishedV1),
    # content.discussions.v1 and content.library.v1 -> content.public.v1
    PublicView(c.ThreadCreatedV1, p.PublicThreadCreatedV1),
    PublicView(c.ThreadEditedV1, p.PublicThreadEditedV1),
    PublicView(c.ThreadDeletedV1, p.PublicThreadDeletedV1),
    PublicView(c.ThreadPinnedV1, p.PublicThreadPinnedV1),
    PublicView(c.ThreadUnpinnedV1, p.PublicThreadUnpinnedV1),
    PublicView(c.ThreadLockedV1, p.PublicThreadLockedV1),
    PublicView(c.ThreadUnlockedV1, p.PublicThreadUnlockedV1),
    PublicView(c.ThreadMovedV1, p.PublicThreadMovedV1),
    PublicView(c.ReplyPostedV1, p.PublicReplyPostedV1),
    PublicView(c.ReplyEditedV1, p.PublicReplyEditedV1),
    PublicView(c.ReplyDeletedV1, p.PublicReplyDeletedV1),
    PublicView(c.ReactionAddedV1, p.PublicReactionAddedV1),
    PublicView(c.ResourceSharedV1, p.PublicResourceSharedV1),
    PublicView(c.ResourceEditedV1, p.PublicResourceEditedV1),
    PublicView(c.CoursePublishedV1, p.PublicCoursePublishedV1),
    PublicView(c.CourseEditedV1, p.PublicCourseEditedV1),
    PublicView(c.LessonPublishedV1, p.PublicLessonPublishedV1),
    PublicView(c.LessonEditedV1, p.PublicLessonEditedV1),
    # events.gatherings.v1 -> events.public.v1
    PublicView(g.GatheringScheduledV1, p.PublicGatheringScheduledV1, gathering=True),
    PublicView(g.GatheringChangedV1, p.PublicGatheringChangedV1, gathering=True),
    PublicView(g.GatheringCancelledV1, p.PublicGatheringCancelledV1, gathering=True),
    PublicView(g.RecapPublishedV1, p.PublicRecapPublishedV1, gathering=True),
)

_BY_TYPE: dict[str, PublicView] = {view.source.event_type(): view for view in VIEWS}


def view_of(event: AnyEvent) -> PublicView | None:
    """The public view of ``event``'s type, if it has one."""
    return _BY_TYPE.get(event.type)
