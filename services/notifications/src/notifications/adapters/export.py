"""The notifications service's part of a personal-data export: the files and what each holds."""

from cerchia_chassis.exports import ExportFile
from notifications.adapters.deliveries import DELIVERIES
from notifications.adapters.digests import ENTRIES
from notifications.adapters.feed import FEED
from notifications.adapters.preferences import PREFERENCES
from notifications.adapters.push_subscriptions import PUSH_SUBSCRIPTIONS
from notifications.adapters.users import USERS
from notifications.adapters.webhooks import WEBHOOKS

FILES: tuple[ExportFile, ...] = (
    ExportFile(
        "contact.json",
        "The address, name and language notifications are sent with.",
        USERS,
        lambda user_id: {"_id": user_id},
    ),
    ExportFile(
        "preferences.json",
        "Your notification choices: per category and channel, per community, quiet hours, digests.",
        PREFERENCES,
        lambda user_id: {"_id": user_id},
    ),
    ExportFile(
        "feed.json",
        "Your in-app notifications, read and unread.",
        FEED,
        lambda user_id: {"user_id": user_id},
    ),
    ExportFile(
        "deliveries.json",
        "Emails and web pushes sent (or queued) to you: kind, channel, status, attempts, dates. "
        "Message texts are not kept beyond what the feed shows; one-time links are left out.",
        DELIVERIES,
        lambda user_id: {"recipient_id": user_id},
        # The context can hold one-time secrets (reset links): never given out again.
        omit=frozenset({"context", "event_payload", "payload"}),
    ),
    ExportFile(
        "digest_entries.json",
        "Notifications waiting for your next digest.",
        ENTRIES,
        lambda user_id: {"user_id": user_id},
    ),
    ExportFile(
        "push_subscriptions.json",
        "The browsers and devices subscribed to your web push notifications (their endpoint; "
        "their encryption keys are left out).",
        PUSH_SUBSCRIPTIONS,
        lambda user_id: {"user_id": user_id},
    ),
    ExportFile(
        "webhooks.json",
        "Webhook subscriptions you own: community, URL, event types, state (the signing secret "
        "is left out).",
        WEBHOOKS,
        lambda user_id: {"owner_id": user_id},
    ),
)
