"""The events composition root: every adapter, the ports bundle and the reminder scheduler."""

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cerchia_chassis.community_projection import CommunityProjection
from cerchia_chassis.exports import ExportContributor
from cerchia_chassis.poller import WakeablePoller
from cerchia_chassis.runtime import Chassis
from cerchia_contracts.events.exports import EventsExportPartV1
from events.adapters.export import FILES as EXPORT_FILES
from events.adapters.feeds import MongoFeedTokens
from events.adapters.gatherings import GATHERINGS, MongoGatherings
from events.adapters.ical import ICalendarFiles
from events.adapters.qr import SegnoQrCodes
from events.adapters.recaps import MongoRecaps
from events.adapters.reminders import MongoReminderStore
from events.adapters.rsvps import MongoRsvps
from events.adapters.series import MongoSeries
from events.adapters.zones import MongoUserZones
from events.service.localization import LocalizedOutbox
from events.service.ports import Ports
from events.service.reminding import SchedulerPolicy, fire_due
from events.settings import EventsSettings


@dataclass(frozen=True)
class Container:
    """The running service: its chassis, and the ports the entrypoints hand to use cases."""

    settings: EventsSettings
    chassis: Chassis
    ports: Ports
    #: This service's part of personal-data exports.
    export: ExportContributor

    @classmethod
    def build(cls, settings: EventsSettings) -> "Container":
        """Wire the service and its scheduler loop; nothing connects until ``chassis.running()``."""
        chassis = Chassis(
            settings,
            indexes=[
                *MongoGatherings.indexes,
                *MongoRsvps.indexes,
                *CommunityProjection.indexes,
                *MongoReminderStore.indexes,
                *MongoRecaps.indexes,
                *MongoFeedTokens.indexes,
                *MongoSeries.indexes,
                *MongoUserZones.indexes,
            ],
            # The public twins of gathering events: only public gatherings of public communities.
            public_gatherings=GATHERINGS,
        )
        ports = _ports(chassis, settings)
        if settings.reminder_scheduler_enabled:
            chassis.add_loop(_reminder_scheduler(settings, ports))
        return cls(
            settings=settings,
            chassis=chassis,
            ports=ports,
            export=_exports(chassis),
        )


def _ports(chassis: Chassis, settings: EventsSettings) -> Ports:
    db = chassis.db
    zones = MongoUserZones(db)
    return Ports(
        transactions=chassis.transactions,
        # Every event leaves with its recipients' local times.
        outbox=LocalizedOutbox(chassis.outbox, zones),
        inbox=chassis.inbox,
        directory=CommunityProjection(db),
        gatherings=MongoGatherings(db),
        series=MongoSeries(db),
        rsvps=MongoRsvps(db),
        reminders=MongoReminderStore(db),
        recaps=MongoRecaps(db),
        feeds=MongoFeedTokens(db),
        zones=zones,
        calendar_files=ICalendarFiles(),
        qr_codes=SegnoQrCodes(),
        reminder_offsets=settings.reminder_offsets,
    )


def _reminder_scheduler(settings: EventsSettings, ports: Ports) -> WakeablePoller:
    policy = SchedulerPolicy(
        owner=f"{socket.gethostname()}:{os.getpid()}",
        lease=timedelta(seconds=settings.reminder_lease_s),
        catch_up=timedelta(seconds=settings.reminder_catch_up_s),
        batch_size=settings.reminder_batch_size,
    )

    async def remind() -> int:
        return await fire_due(now=datetime.now(UTC), policy=policy, ports=ports)

    return WakeablePoller(
        "reminder-scheduler",
        remind,
        interval=settings.reminder_poll_interval_s,
        batch_size=settings.reminder_batch_size,
    )


def _exports(chassis: Chassis) -> ExportContributor:
    return ExportContributor(
        service="events",
        files=EXPORT_FILES,
        part_event=EventsExportPartV1,
        db=chassis.db,
        inbox=chassis.inbox,
        outbox=chassis.outbox,
    )
