"""``membership.introductions.v1``: double opt-in introductions between members."""

from typing import Annotated, Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData
from cerchia_contracts.personal import PersonalData

__all__ = [
    "IntroductionAccepted",
    "IntroductionAcceptedV1",
    "IntroductionDeclined",
    "IntroductionDeclinedV1",
    "IntroductionRequested",
    "IntroductionRequestedV1",
]


class IntroductionFact(EventData):
    """The parties of an introduction."""

    introduction_id: str = Field(description="Id of the introduction.")
    community_id: str = Field(description="The community both parties belong to.")
    requester_id: str = Field(description="Member who asked to be introduced.")
    recipient_id: str = Field(description="Member asked to accept.")


class IntroductionRequested(IntroductionFact):
    """A member asked to be introduced to another, with a short note."""

    note: Annotated[str, PersonalData("requester_id")] = Field(
        description="Why the requester wants to connect."
    )


class IntroductionRequestedV1(CloudEvent[IntroductionRequested]):
    """An introduction was requested."""

    type: Literal["cerchia.membership.introduction_requested.v1"] = Field(
        default="cerchia.membership.introduction_requested.v1", description="Event type."
    )


class IntroductionAccepted(IntroductionFact):
    """The recipient accepted: both parties now see each other's contact details."""


class IntroductionAcceptedV1(CloudEvent[IntroductionAccepted]):
    """An introduction was accepted."""

    type: Literal["cerchia.membership.introduction_accepted.v1"] = Field(
        default="cerchia.membership.introduction_accepted.v1", description="Event type."
    )


class IntroductionDeclined(IntroductionFact):
    """The recipient declined."""


class IntroductionDeclinedV1(CloudEvent[IntroductionDeclined]):
    """An introduction was declined."""

    type: Literal["cerchia.membership.introduction_declined.v1"] = Field(
        default="cerchia.membership.introduction_declined.v1", description="Event type."
    )
