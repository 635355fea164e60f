"""Events produced by the membership service."""

from typing import Literal

from pydantic import Field

from cerchia_contracts.envelope import CloudEvent, EventData

Locale = Literal["it", "en"]


class UserRegistered(EventData):
    """A person created a Cerchia account."""

    user_id: str = Field(description="Id of the new user.")
    email: str = Field(description="The address the user registered with (not yet verified).")
    display_name: str = Field(description="Name shown to other members.")
    locale: Locale = Field(description="Preferred language for messages: it or en.")


class UserRegisteredV1(CloudEvent[UserRegistered]):
    """A new account exists; notifications welcomes the user."""

    type: Literal["cerchia.membership.user_registered.v1"] = Field(
        default="cerchia.membership.user_registered.v1", description="Event type."
    )
