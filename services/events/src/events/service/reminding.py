"""The durable reminder scheduler's step: claim due jobs, fire each once, record the outcome."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from cerchia_chassis.ports import Session
from events.domain.reminders import ReminderJob, verdict
from events.service import announcements
from events.service.ports import Ports

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchedulerPolicy:
    """How the scheduler claims and how late a reminder may still go out."""

    owner: str
    lease: timedelta
    catch_up: timedelta
    batch_size: int


async def fire_due(*, now: datetime, policy: SchedulerPolicy, ports: Ports) -> int:
    """Claim due jobs (atomically, with a lease) and fire or drop each; return how many.

    Once-only: the claim hands a job to one instance; the outcome is recorded in the same
    transaction as the outbox record, and only if this instance still holds the lease, so an
    instance whose lease ran out cannot publish a second time. A crash before commit leaves
    the job claimed until the lease expires, then another instance fires it.
    """
    jobs = await ports.reminders.claim_due(
        now=now, lease=policy.lease, owner=policy.owner, limit=policy.batch_size
    )
    fired = 0
    for job in jobs:
        if await _settle(job, now=now, policy=policy, ports=ports):
            fired += 1
    if fired:
        ports.outbox.committed()
    return len(jobs)


async def _settle(
    job: ReminderJob, *, now: datetime, policy: SchedulerPolicy, ports: Ports
) -> bool:
    async def work(session: Session) -> bool:
        gathering = await ports.gatherings.get(job.gathering_id, session)
        outcome = verdict(job, gathering, now=now, catch_up=policy.catch_up)
        state = "sent" if outcome == "fire" else outcome
        if not await ports.reminders.complete(
            job.id, owner=policy.owner, outcome=state, session=session
        ):
            return False  # the lease was lost to another instance, which settles it
        if outcome != "fire" or gathering is None:
            logger.info("reminder %s not sent: %s", job.id, outcome)
            return False
        going = await ports.rsvps.with_status(gathering.id, ["going"], session=session)
        if not going:
            return False
        event = announcements.reminder_due(
            gathering, job, attendee_ids=[r.user_id for r in going], now=now
        )
        await ports.outbox.add(session, event)
        return True

    return await ports.transactions.run(work)
