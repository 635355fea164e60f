"""Route dependencies: the container, the optional caller, the zone to show times in."""

from typing import Annotated

from fastapi import Depends, Query

from cerchia_chassis.auth import MaybeCurrentUser
from cerchia_chassis.service_app import container
from cerchia_chassis.text import Line
from events.container import Container
from events.domain.zones import checked


async def optional_user(caller: MaybeCurrentUser) -> str | None:
    """The caller's user id if a bearer token is sent (it must then be valid), else None."""
    return None if caller is None else caller.user_id


async def zone_query(
    tz: Annotated[
        Line | None,
        Query(
            min_length=1,
            max_length=64,
            description=(
                "IANA time zone to render times in (`viewer_time`), e.g. America/New_York. "
                "Default: the caller's profile time zone, else the event's own."
            ),
            examples=["America/New_York"],
        ),
    ] = None,
) -> str | None:
    """``?tz=``, refused (422) before anything is done if it is not an IANA time zone."""
    return None if tz is None else checked(tz)


Deps = Annotated[Container, Depends(container)]
MaybeUser = Annotated[str | None, Depends(optional_user)]
#: ``?tz=``: the zone to show times in; without it, the caller's profile zone, else the event's.
ZoneQuery = Annotated[str | None, Depends(zone_query)]
