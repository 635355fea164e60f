"""Reading and replacing the caller's notification preferences."""

from fastapi import APIRouter

from cerchia_chassis.auth import CurrentUser
from notifications.domain.categories import Category
from notifications.domain.preferences import (
    ChannelChoice,
    DigestSchedule,
    Preferences,
    QuietHours,
)
from notifications.entrypoints.http.deps import Deps
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


def _out(preferences: Preferences) -> PreferencesOut:
    quiet = preferences.quiet_hours
    return PreferencesOut(
        categories={c: _choice_out(preferences.choice(c)) for c in Category},
        communities={
            community: {c: _choice_out(choice) for c, choice in choices.items()}
            for community, choices in preferences.communities.items()
        },
        quiet_hours=None if quiet is None else QuietHoursIn(start=quiet.start, end=quiet.end),
        digest=DigestIn(
            frequency=preferences.digest.frequency,
            hour=preferences.digest.hour,
            weekday=preferences.digest.weekday,
        ),
    )


@router.get("", response_model=PreferencesOut, summary="The caller's preferences")
async def read_preferences(me: CurrentUser, deps: Deps) -> PreferencesOut:
    """Every category with its channels (defaults filled in), quiet hours and digest."""
    return _out(await get_preferences(me.user_id, store=deps.preferences))


@router.put("", response_model=PreferencesOut, summary="Replace the caller's preferences")
async def replace_preferences(body: PreferencesIn, me: CurrentUser, deps: Deps) -> PreferencesOut:
    """Security messages (`account`) always arrive whatever is set here."""
    preferences = Preferences(
        categories={c: _choice(choice) for c, choice in body.categories.items()},
        communities={
            community: {c: _choice(choice) for c, choice in choices.items()}
            for community, choices in body.communities.items()
        },
        quiet_hours=None
        if body.quiet_hours is None
        else QuietHours(start=body.quiet_hours.start, end=body.quiet_hours.end),
        digest=DigestSchedule(
            frequency=body.digest.frequency, hour=body.digest.hour, weekday=body.digest.weekday
        ),
    )
    return _out(await put_preferences(me.user_id, preferences, store=deps.preferences))
