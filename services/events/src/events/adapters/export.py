"""The events service's part of a personal-data export: the files and what each one holds."""

from cerchia_chassis.exports import ExportFile
from events.adapters.feeds import FEED_TOKENS
from events.adapters.gatherings import GATHERINGS
from events.adapters.recaps import RECAPS
from events.adapters.rsvps import RSVPS
from events.adapters.zones import USER_ZONES

FILES: tuple[ExportFile, ...] = (
    ExportFile(
        "rsvps.json",
        "Your answers to gatherings (confirmed, waitlisted, cancelled), with their dates.",
        RSVPS,
        lambda user_id: {"user_id": user_id},
        omit=frozenset({"ticket"}),
    ),
    ExportFile(
        "check_ins.json",
        "Gatherings where you were checked in, and when.",
        RSVPS,
        lambda user_id: {"user_id": user_id, "checked_in_at": {"$ne": None}},
        shape=lambda doc, _: {
            "gathering_id": doc.get("gathering_id"),
            "checked_in_at": doc.get("checked_in_at"),
        },
    ),
    ExportFile(
        "hosted_gatherings.json",
        "Gatherings you created or host: title, description, place or link, times.",
        GATHERINGS,
        lambda user_id: {"$or": [{"host_ids": user_id}, {"created_by": user_id}]},
        # The check-in code admits attendees: a secret of the gathering, not personal data.
        omit=frozenset({"check_in_code"}),
    ),
    ExportFile(
        "recaps.json",
        "Recaps of gatherings you wrote.",
        RECAPS,
        lambda user_id: {"author_id": user_id},
    ),
    ExportFile(
        "calendar_feed.json",
        "Whether you have a private calendar feed link, and when it was issued (not the link).",
        FEED_TOKENS,
        lambda user_id: {"_id": user_id},
    ),
    ExportFile(
        "time_zone.json",
        "The time zone your gatherings are shown in.",
        USER_ZONES,
        lambda user_id: {"_id": user_id},
    ),
)
