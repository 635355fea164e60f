"""``<service>.person-keys.v1``: the keys that encrypt each person's personal data on Kafka.

Each service that publishes a person's personal data (``cerchia_contracts.personal``) makes a key
for that person the first time, keeps it in its own database and announces it on its own
compacted topic, keyed by the person's id, wrapped with the platform's key-encryption key (which
never reaches Kafka). Every service that reads the producer's events reads that topic to decrypt
them. When the person is erased the producer deletes its key and publishes a tombstone (an empty
record with the person's id as key), so that compaction removes the key from the topic too.
"""

from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

__all__ = [
    "ContentPersonKeyIssuedV1",
    "EventsPersonKeyIssuedV1",
    "MembershipPersonKeyIssuedV1",
    "NotificationsPersonKeyIssuedV1",
    "PersonKey",
    "PersonKeyIssued",
]


class PersonKey(EventData):
    """A person's data key, wrapped."""

    person_id: str = Field(description="The person whose personal data the key encrypts.")
    wrapped_key: str = Field(
        description="The 256-bit AES-GCM key, itself encrypted (AES-GCM, base64url, nonce "
        "first) with the key-encryption key named by `kek_id`, the person's id as associated data."
    )
    kek_id: str = Field(description="Id of the key-encryption key that wrapped it (rotation).")


class PersonKeyIssued(CloudEvent[PersonKey]):
    """Base of the four producers' key announcements."""


class MembershipPersonKeyIssuedV1(PersonKeyIssued):
    """Membership's key for a person (accounts, profiles, introductions)."""

    type: Literal["cerchia.membership.person_key_issued.v1"] = Field(
        default="cerchia.membership.person_key_issued.v1", description="Event type."
    )


class ContentPersonKeyIssuedV1(PersonKeyIssued):
    """Content's key for a person (direct messages, export parts)."""

    type: Literal["cerchia.content.person_key_issued.v1"] = Field(
        default="cerchia.content.person_key_issued.v1", description="Event type."
    )


class EventsPersonKeyIssuedV1(PersonKeyIssued):
    """Events' key for a person (export parts)."""

    type: Literal["cerchia.events.person_key_issued.v1"] = Field(
        default="cerchia.events.person_key_issued.v1", description="Event type."
    )


class NotificationsPersonKeyIssuedV1(PersonKeyIssued):
    """Notifications' key for a person (export parts)."""

    type: Literal["cerchia.notifications.person_key_issued.v1"] = Field(
        default="cerchia.notifications.person_key_issued.v1", description="Event type."
    )
