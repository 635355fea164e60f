"""Reading and replacing the caller's notification preferences."""

from typing import Annotated

from fastapi import APIRouter, Query

from cerchia_chassis.auth import CurrentUser
from cerchia_chassis.problems import problem_responses
from cerchia_chassis.text import Line
from notifications.domain.categories import Category
from notifications.domain.preferences import (
    ChannelChoice,
    DigestSchedule,
    Preferences,
    QuietHours,
)
from notifications.entrypoints.deps import Deps
from notifications.entrypoints.schemas import (
    ChannelChoiceIn,
    ChannelChoiceOut,
    DigestIn,
    PreferencesIn,
    PreferencesOut,
    QuietHoursIn,
)
from notifications.service.preferences import get_preferences, put_preferences

router = APIRouter(prefix="/api/v1/preferences", tags=["preferences"])


def _choice(body: ChannelChoiceIn) -> ChannelChoice:
    return ChannelChoice(in_app=body.in_app, email=body.email, push=body.push)


def _choice_out(choice: ChannelChoice) -> ChannelChoiceOut:
    return ChannelChoiceOut(in_app=choice.in_app, email=choice.email, push=choice.push)


def _schedule(body: DigestIn) -> DigestSchedule:
    return DigestSchedule(frequency=body.frequency, hour=body.hour, weekday=body.weekday)


def _schedule_out(schedule: DigestSchedule) -> DigestIn:
    return DigestIn(frequency=schedule.frequency, hour=schedule.hour, weekday=schedule.weekday)


def _out(preferences: Preferences) -> PreferencesOut:
    quiet = preferences.quiet_hours
    return PreferencesOut(
        categories={c: _choice_out(preferences.choice(c)) for c in Category},
        communities={
            community: {c: _choice_out(choice) for c, choice in choices.items()}
            for community, choices in preferences.communities.items()
        },
        quiet_hours=None if quiet is None else QuietHoursIn(start=quiet.start, end=quiet.end),
        digest=_schedule_out(preferences.digest),
        community_digests={
            community: _schedule_out(schedule)
            for community, schedule in preferences.community_digests.items()
        },
    )


@router.get(
    "",
    response_model=PreferencesOut,
    summary="The caller's preferences",
    responses=problem_responses(
        400, 401, 422, descriptions={400: "A cursor was given: preferences are not paged"}
    ),
)
async def read_preferences(
    me: CurrentUser,
    deps: Deps,
    cursor: Annotated[
        Line | None, Query(max_length=64, description="Not accepted: the answer is never paged.")
    ] = None,
) -> PreferencesOut:
    """Every category with its channels (defaults filled in), quiet hours and digests."""
    return _out(await get_preferences(me.user_id, cursor=cursor, ports=deps.ports))


@router.put(
    "",
    response_model=PreferencesOut,
    summary="Replace the caller's preferences",
    responses=problem_responses(
        401,
        404,
        422,
        descriptions={
            404: "An override or digest schedule names a community that does not exist",
            422: "Invalid body; or `account` email off, or quiet hours starting when they end "
            "(`errors` names the field)",
        },
    ),
)
async def replace_preferences(body: PreferencesIn, me: CurrentUser, deps: Deps) -> PreferencesOut:
    """Security messages (`account`) always arrive: turning their email off (or to the digest)
    is refused. Digests go out per community: `community_digests` sets a community's own
    schedule, others use `digest`. Overrides name communities by id; an unknown one is refused
    (unless already stored)."""
    preferences = Preferences(
        categories={c: _choice(choice) for c, choice in body.categories.items()},
        communities={
            community: {c: _choice(choice) for c, choice in choices.items()}
            for community, choices in body.communities.items()
        },
        quiet_hours=None
        if body.quiet_hours is None
        else QuietHours(start=body.quiet_hours.start, end=body.quiet_hours.end),
        digest=_schedule(body.digest),
        community_digests={
            community: _schedule(schedule) for community, schedule in body.community_digests.items()
        },
    )
    return _out(await put_preferences(me.user_id, preferences, ports=deps.ports))
