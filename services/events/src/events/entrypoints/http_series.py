"""HTTP route for changing the rule of a recurring series."""

from datetime import UTC, datetime

from fastapi import APIRouter

from cerchia_chassis.auth import CurrentUser
from events.domain.recurrence import Recurrence
from events.entrypoints.deps import Deps
from events.entrypoints.presenters import series_change_out
from events.entrypoints.schemas_series import RuleChange, SeriesChangeOut
from events.service import series_changes

router = APIRouter(prefix="/api/v1", tags=["events"])


@router.put(
    "/events/{event_id}/recurrence",
    response_model=SeriesChangeOut,
    summary="Change the rule of the event's series",
    responses={
        401: {"description": "Sign in required"},
        403: {"description": "Not a member, or not a host/moderator"},
        404: {"description": "No such event"},
        422: {"description": "Invalid rule, or the event is not part of a series"},
    },
)
async def change_recurrence(
    event_id: str, body: RuleChange, me: CurrentUser, deps: Deps
) -> SeriesChangeOut:
    """Re-plan the series from its first start with a new rule (e.g. Tuesdays → Thursdays, a
    new COUNT or UNTIL). Occurrences that have started stay as they are; future occurrences
    the rule still yields are kept with their RSVPs and individual changes; the others are
    cancelled and whoever held a seat or a waitlist place is told (a critical change); new
    slots become new occurrences with the details of the event addressed. A cancelled
    occurrence is never brought back."""
    done = await series_changes.change_rule(
        event_id,
        Recurrence(body.rule, tuple(body.exceptions or ())),
        keep_exceptions=body.exceptions is None,
        reason=body.reason,
        actor_id=me.user_id,
        now=datetime.now(UTC),
        ports=deps.ports,
    )
    return series_change_out(done)
