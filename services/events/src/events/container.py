"""The events composition root: every adapter and the reminder scheduler, built once."""

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cerchia_chassis.poller import WakeablePoller
from cerchia_chassis.runtime import Chassis
from events.adapters.directory import MongoDirectory
from events.adapters.feeds import MongoFeedTokens
from events.adapters.gatherings import GATHERINGS, MongoGatherings
from events.adapters.recaps import MongoRecaps
from events.adapters.reminders import MongoReminderStore
from events.adapters.rsvps import MongoRsvps
from events.adapters.series import MongoSeries
from events.adapters.zones import MongoUserZones
from events.service.localization import LocalizedOutbox
from events.service.reminding import SchedulerPolicy, fire_due
from events.service.scheduling import Stores
from events.settings import EventsSettings


@dataclass(frozen=True)
class Container:
    """What the entrypoints hand to the use cases."""

    settings: EventsSettings
    chassis: Chassis
    gatherings: MongoGatherings
    rsvps: MongoRsvps
    directory: MongoDirectory
    reminders: MongoReminderStore
    recaps: MongoRecaps
    feeds: MongoFeedTokens
    zones: MongoUserZones
    #: The outbox every use case writes to: it adds the recipients' local times.
    outbox: LocalizedOutbox
    stores: Stores

    @classmethod
    def build(cls, settings: EventsSettings) -> "Container":
        """Wire the service and its scheduler loop; nothing connects until ``chassis.running()``."""
        chassis = Chassis(
            settings,
            indexes=[
                *MongoGatherings.indexes,
                *MongoRsvps.indexes,
                *MongoDirectory.indexes,
                *MongoReminderStore.indexes,
                *MongoRecaps.indexes,
                *MongoFeedTokens.indexes,
                *MongoSeries.indexes,
                *MongoUserZones.indexes,
            ],
            public_gatherings=GATHERINGS,
        )
        db = chassis.db
        gatherings, rsvps, reminders = MongoGatherings(db), MongoRsvps(db), MongoReminderStore(db)
        directory, zones = MongoDirectory(db), MongoUserZones(db)
        outbox = LocalizedOutbox(chassis.outbox, zones)
        stores = Stores(
            gatherings=gatherings,
            series=MongoSeries(db),
            rsvps=rsvps,
            reminders=reminders,
            directory=directory,
            outbox=outbox,
            transactions=chassis.transactions,
            reminder_offsets=settings.reminder_offsets,
        )
        policy = SchedulerPolicy(
            owner=f"{socket.gethostname()}:{os.getpid()}",
            lease=timedelta(seconds=settings.reminder_lease_s),
            catch_up=timedelta(seconds=settings.reminder_catch_up_s),
            batch_size=settings.reminder_batch_size,
        )

        async def remind() -> int:
            return await fire_due(
                now=datetime.now(UTC),
                policy=policy,
                store=reminders,
                gatherings=gatherings,
                rsvps=rsvps,
                outbox=outbox,
                transactions=chassis.transactions,
            )

        if settings.reminder_scheduler_enabled:
            chassis.add_loop(
                WakeablePoller(
                    "reminder-scheduler",
                    remind,
                    interval=settings.reminder_poll_interval_s,
                    batch_size=settings.reminder_batch_size,
                )
            )
        return cls(
            settings=settings,
            chassis=chassis,
            gatherings=gatherings,
            rsvps=rsvps,
            directory=directory,
            reminders=reminders,
            recaps=MongoRecaps(db),
            feeds=MongoFeedTokens(db),
            zones=zones,
            outbox=outbox,
            stores=stores,
        )
