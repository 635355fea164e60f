"""The topic catalog: every topic, who produces and who consumes it, its events and its key.

The catalog is the one source of truth for the topics that exist (``cerchia_chassis.topics``),
for who may write and read each of them (the ACLs of ``cerchia_chassis.acls``), and for what
integrators are told (the AsyncAPI document lists the topics that are not ``internal``).
"""

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Union

from pydantic import Field, Json, TypeAdapter, ValidationError

from cerchia_contracts.envelope import CloudEvent
from cerchia_contracts.events import content as c
from cerchia_contracts.events import exports as x
from cerchia_contracts.events import gatherings as g
from cerchia_contracts.events import membership as m
from cerchia_contracts.events import notifications as n
from cerchia_contracts.events import person_keys as k
from cerchia_contracts.events import public as p
from cerchia_contracts.personal import personal_fields

DLQ_SUFFIX = ".dlq"

AnyEvent = CloudEvent[Any]


@dataclass(frozen=True)
class Topic:
    """A Kafka topic: its name, producer and consumers, the event types it carries, its key."""

    name: str
    producer: str
    events: tuple[type[AnyEvent], ...]
    key: str
    description: str
    #: The services that subscribe to it: each may read it (with its own consumer group) and
    #: write its dead-letter topic; nobody else may.
    consumers: tuple[str, ...] = ()
    partitions: int = 6
    #: Internal topics carry what services need in full (personal data, private communities,
    #: sealed secrets): only the producer and the consumers above may touch them. The others are
    #: the integrators' public topics, readable by every integrator and carrying no personal data.
    internal: bool = True
    #: How long the brokers keep a record (``retention.ms``), for topics that must not keep
    #: personal data for the cluster's default week; None keeps the cluster's default. The
    #: topic's dead-letter topic keeps its records as long.
    retention_ms: int | None = None
    #: A compacted topic keeps the latest record of each key (an empty record, a tombstone,
    #: removes the key), instead of records younger than its retention.
    compacted: bool = False
    _by_type: Mapping[str, type[AnyEvent]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_type = {event.event_type(): event for event in self.events}
        for event_type, event in by_type.items():
            if event.producer != self.producer:
                raise ValueError(f"{event_type} is not produced by {self.producer}")
        object.__setattr__(self, "_by_type", by_type)

    @property
    def dlq(self) -> str:
        """The dead-letter topic of this topic."""
        return self.name + DLQ_SUFFIX

    @property
    def event_types(self) -> tuple[str, ...]:
        """The CloudEvents types this topic carries."""
        return tuple(self._by_type)

    @cached_property
    def _union(self) -> Any:
        union = Union[self.events]  # type: ignore[name-defined]  # noqa: UP007
        return Annotated[union, Field(discriminator="type")]

    @cached_property
    def adapter(self) -> TypeAdapter[AnyEvent]:
        """Validator of this topic's discriminated union of events (on ``type``)."""
        return TypeAdapter(self._union)

    @cached_property
    def _batch_adapter(self) -> TypeAdapter[list[AnyEvent]]:
        # Each payload is parsed on its own (Json per item), never concatenated: joining raw
        # payloads into one JSON array would let a crafted payload shift the message
        # boundaries and be accepted, or blamed, for another message.
        item = self._union
        return TypeAdapter(list[Json[item]])  # type: ignore[valid-type]

    def decode(self, payload: bytes | str) -> AnyEvent:
        """Parse a structured-mode CloudEvent of this topic; raise ValidationError otherwise."""
        return self.adapter.validate_json(payload)

    def decode_many(self, payloads: Sequence[bytes | str]) -> list[AnyEvent | ValidationError]:
        """Parse a batch of payloads in one validator call, in order.

        Each item is the event or, for a payload that is not a valid event of this topic, its own
        ``ValidationError`` (as ``decode`` would raise it), so a bad message is identified alone
        and the good ones around it still decode.
        """
        try:
            with _no_cyclic_gc():
                return list(self._batch_adapter.validate_python(payloads))
        except ValidationError:
            pass
        # Rare path: some payload is bad; decode one by one to tell which, with its own error.
        results: list[AnyEvent | ValidationError] = []
        for payload in payloads:
            try:
                results.append(self.adapter.validate_json(payload))
            except ValidationError as exc:
                results.append(exc)
        return results

    @cached_property
    def personal(self) -> bool:
        """Whether some event of this topic carries personal data fields (encrypted)."""
        return any(personal_fields(event) for event in self.events)

    def event_class(self, event_type: object) -> type[AnyEvent]:
        """The class of one of this topic's event types; KeyError for another type."""
        if not isinstance(event_type, str):
            raise KeyError(event_type)
        return self._by_type[event_type]

    def carries(self, event: AnyEvent) -> bool:
        """Whether this topic carries the event's type."""
        return event.type in self._by_type


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector while a batch of events is built.

    Building hundreds of models triggers collections that scan objects which are all still
    referenced: up to half of the decode time in measurements. Events hold no reference cycles,
    so reference counting alone frees whatever a batch leaves behind.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


MEMBERSHIP_USERS = Topic(
    name="membership.users.v1",
    producer="membership",
    events=(
        m.UserRegisteredV1,
        m.EmailVerifiedV1,
        m.ProfileUpdatedV1,
        m.UserErasedV1,
        m.PasswordChangedV1,
        m.SignUpAttemptedV1,
    ),
    key="user id (the event subject)",
    description=(
        "Lifecycle of user accounts: registration, verification, profile, password changes, "
        "sign-up attempts with an address already registered, erasure. Personal data "
        "(addresses, profiles): internal."
    ),
    consumers=("content", "events", "notifications"),
)

MEMBERSHIP_TOKENS = Topic(
    name="membership.tokens.v2",
    producer="membership",
    events=(
        m.EmailVerificationRequestedV2,
        m.PasswordResetRequestedV2,
        m.InvitationSentV2,
    ),
    key="user id, or community id for invitations (the event subject)",
    description=(
        "Internal: single-use secrets (verification, password reset, invitation links) for the "
        "notifications service to deliver, each sealed to its key."
    ),
    consumers=("notifications",),
)

MEMBERSHIP_SESSIONS = Topic(
    name="membership.sessions.v1",
    producer="membership",
    events=(m.SessionsRevokedV1,),
    key="user id (the event subject)",
    description=(
        "Internal: sessions that ended before their tokens expired (logout, password change, "
        "erasure...). Every token verifier reads all of it, without a consumer group."
    ),
    consumers=("gateway", "membership", "content", "events", "notifications"),
    partitions=3,
)

MEMBERSHIP_COMMUNITIES = Topic(
    name="membership.communities.v1",
    producer="membership",
    events=(
        m.CommunityCreatedV1,
        m.CommunityUpdatedV1,
        m.CommunityArchivedV1,
        m.CommunityHandedOverV1,
        m.CodeOfConductPublishedV1,
        m.CodeOfConductAcceptedV1,
        m.ApplicationSubmittedV1,
        m.ApplicationApprovedV1,
        m.ApplicationRejectedV1,
        m.ApplicationWithdrawnV1,
        m.ApplicationClosedV1,
        m.InvitationAcceptedV1,
        m.InvitationRevokedV1,
        m.MemberJoinedV1,
        m.MemberWaitlistedV1,
        m.WaitlistLeftV1,
        m.SeatOfferedV1,
        m.SeatOfferDeclinedV1,
        m.SeatOfferExpiredV1,
        m.MemberLeftV1,
        m.MemberRemovedV1,
        m.MemberBannedV1,
        m.MemberUnbannedV1,
        m.MemberRoleChangedV1,
    ),
    key="community id (the event subject): one community's history stays in order",
    description=(
        "Communities, admission and membership: the source of every other service's "
        "projection of who belongs where, with which role, and under which code of conduct. "
        "Internal: it covers private communities, applications and their reasons."
    ),
    consumers=("content", "events", "notifications"),
)

MEMBERSHIP_INTRODUCTIONS = Topic(
    name="membership.introductions.v1",
    producer="membership",
    events=(m.IntroductionRequestedV1, m.IntroductionAcceptedV1, m.IntroductionDeclinedV1),
    key="introduction id (the event subject)",
    description="Double opt-in introductions between members of a community (with notes).",
    consumers=("notifications",),
)

EVENTS_GATHERINGS = Topic(
    name="events.gatherings.v1",
    producer="events",
    events=(
        g.GatheringScheduledV1,
        g.GatheringChangedV1,
        g.GatheringCancelledV1,
        g.RsvpConfirmedV1,
        g.RsvpWaitlistedV1,
        g.RsvpCancelledV1,
        g.WaitlistPromotedV1,
        g.AttendeeCheckedInV1,
        g.RecapPublishedV1,
    ),
    key=(
        "gathering id (the event subject): one gathering's history (scheduled, RSVPs, changes, "
        "cancellation, check-ins, recap) stays in order; gatherings are independent of each other"
    ),
    description=(
        "Community gatherings (the API's events): scheduling, changes (flagged critical when "
        "time, place or link change), cancellations, RSVPs and waitlist, check-ins, recaps."
    ),
    consumers=("content", "notifications"),
)

EVENTS_REMINDERS = Topic(
    name="events.reminders.v1",
    producer="events",
    events=(g.ReminderDueV1,),
    key="gathering id (the event subject)",
    description="Reminders due before a gathering, with the confirmed attendees to remind.",
    consumers=("notifications",),
)

CONTENT_DISCUSSIONS = Topic(
    name="content.discussions.v1",
    producer="content",
    events=(
        c.ThreadCreatedV1,
        c.ThreadEditedV1,
        c.ThreadDeletedV1,
        c.ThreadPinnedV1,
        c.ThreadUnpinnedV1,
        c.ThreadLockedV1,
        c.ThreadUnlockedV1,
        c.ThreadMovedV1,
        c.ReplyPostedV1,
        c.ReplyEditedV1,
        c.ReplyDeletedV1,
        c.ReactionAddedV1,
        c.MemberMentionedV1,
    ),
    key="community id (the event subject): one community's discussions stay in order",
    description=(
        "Forum discussions: threads, replies, reactions and @mentions, each naming the people "
        "to notify (author, followers, mentioned members)."
    ),
    consumers=("notifications",),
)

CONTENT_LIBRARY = Topic(
    name="content.library.v1",
    producer="content",
    events=(
        c.ResourceSharedV1,
        c.ResourceMarkedUsefulV1,
        c.CoursePublishedV1,
        c.LessonPublishedV1,
        c.MemberEnrolledV1,
        c.LessonCompletedV1,
        c.CourseCompletedV1,
        c.ResourceEditedV1,
        c.CourseEditedV1,
        c.LessonEditedV1,
    ),
    key="community id (the event subject)",
    description="The resource library and courses: shared resources, publications, progress.",
)

CONTENT_MODERATION = Topic(
    name="content.moderation.v1",
    producer="content",
    events=(c.PostFlaggedV1, c.PostModeratedV1),
    key="community id (the event subject)",
    description="Flags raised by members and moderators' audited decisions on content.",
    consumers=("notifications",),
)

CONTENT_MESSAGES = Topic(
    name="content.messages.v1",
    producer="content",
    events=(c.DirectMessageSentV1, c.MemberBlockedV1, c.MemberUnblockedV1),
    key="conversation id (the event subject): one conversation stays in order",
    description=(
        "Internal: direct messages between members and blocks between them, for notifications "
        "to deliver (and to hold back). Personal correspondence."
    ),
    consumers=("notifications",),
)

NOTIFICATIONS_DELIVERIES = Topic(
    name="notifications.deliveries.v1",
    producer="notifications",
    events=(n.DeliverySucceededV1, n.DeliveryFailedV1),
    key=(
        "community id, or the recipient's user id for deliveries outside a community (the event "
        "subject): one delivery's outcomes (failed, replayed, succeeded) stay in order"
    ),
    description=(
        "Outcomes of email, web push and webhook deliveries: accepted by the provider, or failed "
        "for good (the dead letters of deliveries, replayable by operations). No content, no "
        "addresses."
    ),
)

#: Export parts are personal data in full: a day is enough for any service to answer (the
#: export's deadline is far shorter) and for a dead letter to be looked at.
EXPORT_RETENTION_MS = 24 * 60 * 60 * 1000

MEMBERSHIP_EXPORTS = Topic(
    name="membership.exports.v1",
    producer="membership",
    events=(x.ExportRequestedV1, x.ExportReadyV1),
    key="user id (the event subject)",
    description=(
        "Internal: personal-data export requests, for every service holding personal data to "
        "publish its part, and the announcement that an export's archive is ready."
    ),
    consumers=("content", "events", "notifications"),
    partitions=6,
    retention_ms=EXPORT_RETENTION_MS,
)

CONTENT_EXPORTS = Topic(
    name="content.exports.v1",
    producer="content",
    events=(x.ContentExportPartV1,),
    key="user id (the event subject)",
    description="Internal: content's parts of personal-data exports, for membership to assemble.",
    consumers=("membership",),
    partitions=6,
    retention_ms=EXPORT_RETENTION_MS,
)

EVENTS_EXPORTS = Topic(
    name="events.exports.v1",
    producer="events",
    events=(x.EventsExportPartV1,),
    key="user id (the event subject)",
    description="Internal: events' parts of personal-data exports, for membership to assemble.",
    consumers=("membership",),
    partitions=6,
    retention_ms=EXPORT_RETENTION_MS,
)

NOTIFICATIONS_EXPORTS = Topic(
    name="notifications.exports.v1",
    producer="notifications",
    events=(x.NotificationsExportPartV1,),
    key="user id (the event subject)",
    description=(
        "Internal: notifications' parts of personal-data exports, for membership to assemble."
    ),
    consumers=("membership",),
    partitions=6,
    retention_ms=EXPORT_RETENTION_MS,
)

#: The topics on which services publish their parts of an export, by service.
EXPORT_PART_TOPICS: tuple[Topic, ...] = (CONTENT_EXPORTS, EVENTS_EXPORTS, NOTIFICATIONS_EXPORTS)

MEMBERSHIP_PUBLIC = Topic(
    name="membership.public.v1",
    producer="membership",
    events=(
        p.PublicCommunityCreatedV1,
        p.PublicCommunityUpdatedV1,
        p.PublicCommunityWithdrawnV1,
        p.PublicCommunityArchivedV1,
        p.PublicCodeOfConductPublishedV1,
    ),
    key="community id (the event subject)",
    description=(
        "For integrators: public communities as their public pages show them (founded, "
        "changed, no longer public, archived, a new code of conduct). No personal data."
    ),
    internal=False,
)

CONTENT_PUBLIC = Topic(
    name="content.public.v1",
    producer="content",
    events=(
        p.PublicThreadCreatedV1,
        p.PublicThreadEditedV1,
        p.PublicThreadDeletedV1,
        p.PublicThreadPinnedV1,
        p.PublicThreadUnpinnedV1,
        p.PublicThreadLockedV1,
        p.PublicThreadUnlockedV1,
        p.PublicThreadMovedV1,
        p.PublicReplyPostedV1,
        p.PublicReplyEditedV1,
        p.PublicReplyDeletedV1,
        p.PublicReactionAddedV1,
        p.PublicResourceSharedV1,
        p.PublicResourceEditedV1,
        p.PublicCoursePublishedV1,
        p.PublicCourseEditedV1,
        p.PublicLessonPublishedV1,
        p.PublicLessonEditedV1,
    ),
    key="community id (the event subject): one community's activity stays in order",
    description=(
        "For integrators: the shape of public communities' discussions (threads with titles, "
        "replies, reactions) and their libraries and courses. No personal data, no bodies."
    ),
    internal=False,
)

EVENTS_PUBLIC = Topic(
    name="events.public.v1",
    producer="events",
    events=(
        p.PublicGatheringScheduledV1,
        p.PublicGatheringChangedV1,
        p.PublicGatheringCancelledV1,
        p.PublicRecapPublishedV1,
    ),
    key="gathering id (the event subject): one gathering's history stays in order",
    description=(
        "For integrators: public gatherings of public communities (scheduled, changed, "
        "cancelled, recapped), without addresses, links or attendees."
    ),
    internal=False,
)

_DATA_TOPICS: tuple[Topic, ...] = (
    MEMBERSHIP_USERS,
    MEMBERSHIP_TOKENS,
    MEMBERSHIP_SESSIONS,
    MEMBERSHIP_COMMUNITIES,
    MEMBERSHIP_INTRODUCTIONS,
    EVENTS_GATHERINGS,
    EVENTS_REMINDERS,
    CONTENT_DISCUSSIONS,
    CONTENT_LIBRARY,
    CONTENT_MODERATION,
    CONTENT_MESSAGES,
    NOTIFICATIONS_DELIVERIES,
    MEMBERSHIP_EXPORTS,
    CONTENT_EXPORTS,
    EVENTS_EXPORTS,
    NOTIFICATIONS_EXPORTS,
    MEMBERSHIP_PUBLIC,
    CONTENT_PUBLIC,
    EVENTS_PUBLIC,
)


def _person_keys(producer: str, event: type[AnyEvent]) -> Topic:
    # Read by every service that reads one of the producer's topics with personal data.
    readers = sorted(
        {
            consumer
            for t in _DATA_TOPICS
            if t.producer == producer and t.personal
            for consumer in t.consumers
            if consumer != producer
        }
    )
    return Topic(
        name=f"{producer}.person-keys.v1",
        producer=producer,
        events=(event,),
        key="person id: the latest record of each person is their key; a tombstone erases it",
        description=(
            f"Internal: the keys, wrapped, that encrypt each person's personal data in "
            f"{producer}'s events (crypto-shredding: erasure deletes the key and compaction "
            "removes it from the topic). Compacted; every reader reads all of it."
        ),
        consumers=tuple(readers),
        partitions=3,
        compacted=True,
    )


MEMBERSHIP_PERSON_KEYS = _person_keys("membership", k.MembershipPersonKeyIssuedV1)
CONTENT_PERSON_KEYS = _person_keys("content", k.ContentPersonKeyIssuedV1)
EVENTS_PERSON_KEYS = _person_keys("events", k.EventsPersonKeyIssuedV1)
NOTIFICATIONS_PERSON_KEYS = _person_keys("notifications", k.NotificationsPersonKeyIssuedV1)

#: Each producer's key topic, by producer.
PERSON_KEY_TOPICS: Mapping[str, Topic] = {
    t.producer: t
    for t in (
        MEMBERSHIP_PERSON_KEYS,
        CONTENT_PERSON_KEYS,
        EVENTS_PERSON_KEYS,
        NOTIFICATIONS_PERSON_KEYS,
    )
}

CATALOG: tuple[Topic, ...] = (*_DATA_TOPICS, *PERSON_KEY_TOPICS.values())


def topic(name: str) -> Topic:
    """Look a topic up by name."""
    for candidate in CATALOG:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def topic_of(event: AnyEvent | type[AnyEvent]) -> Topic:
    """The one topic that carries an event type."""
    event_type = event.type if isinstance(event, CloudEvent) else event.event_type()
    for candidate in CATALOG:
        if event_type in candidate.event_types:
            return candidate
    raise KeyError(event_type)


def all_event_classes() -> tuple[type[AnyEvent], ...]:
    """Every event class in the catalog, in catalog order."""
    return tuple(event for t in CATALOG for event in t.events)
