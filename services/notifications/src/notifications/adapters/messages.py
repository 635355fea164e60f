"""Short texts per kind of notification (feed, push, email subject), translated with gettext."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from babel.dates import format_date, format_datetime, format_time

from notifications.adapters.translations import language, translations
from notifications.domain.schedule import zone


def N_(message: str) -> str:  # noqa: N802 - the gettext convention, a marker for extraction
    """Mark a message for extraction; it is translated where it is used."""
    return message


#: kind → (title, body, call to action). Placeholders come from the event and the projections.
NOTICES: Mapping[str, tuple[str, str, str]] = {
    "welcome": (
        N_("Welcome to Cerchia, %(display_name)s"),
        N_("Find a circle that fits you, introduce yourself, and take part."),
        N_("Open Cerchia"),
    ),
    "verify_email": (
        N_("Confirm your email address"),
        N_(
            "Confirm that this is your address to finish setting up your Cerchia account. "
            "The link works until %(expires)s."
        ),
        N_("Confirm email"),
    ),
    "password_reset": (
        N_("Reset your password"),
        N_(
            "Someone asked to reset the password of your Cerchia account. If it was you, "
            "choose a new password by %(expires)s; if it wasn't, ignore this email."
        ),
        N_("Choose a new password"),
    ),
    "password_changed": (
        N_("Your password was changed"),
        N_(
            "The password of your Cerchia account was just changed, and every other device was "
            "signed out. If it was you, there is nothing to do. If it wasn't, reset your "
            "password now: someone else may have access to your account."
        ),
        N_("Reset my password"),
    ),
    "export_ready": (
        N_("Your Cerchia data is ready to download"),
        N_(
            "The copy of your personal data you asked for is ready: one archive with a folder "
            "per part of Cerchia and a README explaining each file. Sign in and download it by "
            "%(expires)s; after that it is deleted."
        ),
        N_("Download my data"),
    ),
    "sign_up_attempted": (
        N_("Someone tried to sign up with your address"),
        N_(
            "Someone tried to create a Cerchia account with this email address, which already "
            "has one. If it was you, sign in, or reset your password if you forgot it. If it "
            "wasn't, ignore this email: your account has not changed."
        ),
        N_("Sign in"),
    ),
    "invitation": (
        N_("You are invited to join %(community)s"),
        N_(
            "You have been invited to join %(community)s on Cerchia. "
            "The invitation works until %(expires)s."
        ),
        N_("Accept the invitation"),
    ),
    "application_submitted": (
        N_("New application to %(community)s"),
        N_("%(actor)s applied to join %(community)s and awaits your review."),
        N_("Review the application"),
    ),
    "application_approved": (
        N_("Welcome to %(community)s"),
        N_("Your application to join %(community)s was approved."),
        N_("Open the community"),
    ),
    "application_approved_waitlisted": (
        N_("Approved: you are on the waiting list of %(community)s"),
        N_(
            "Your application to join %(community)s was approved. It is full right now: you are "
            "number %(waitlist_position)s on its waiting list, and we will tell you as soon as a "
            "seat frees up."
        ),
        N_("Open the community"),
    ),
    "application_rejected": (
        N_("Your application to %(community)s"),
        N_("Your application to join %(community)s was not accepted. Reason: %(reason)s"),
        N_("Find other communities"),
    ),
    "member_waitlisted": (
        N_("You are on the waiting list of %(community)s"),
        N_(
            "%(community)s is full. You are number %(position)s on its waiting list: "
            "we will tell you as soon as a seat frees up."
        ),
        N_("Open the community"),
    ),
    "seat_offered": (
        N_("A seat is free in %(community)s"),
        N_("A seat has freed up in %(community)s and it is yours: accept it by %(expires)s."),
        N_("Accept the seat"),
    ),
    "seat_offer_expired": (
        N_("Your seat offer in %(community)s expired"),
        N_("The seat offered to you in %(community)s went to the next person in line."),
        N_("Open the community"),
    ),
    "member_joined": (
        N_("%(person)s joined %(community)s"),
        N_("%(person)s is now a member of %(community)s. Say hello!"),
        N_("See the members"),
    ),
    "code_of_conduct_published": (
        N_("New code of conduct in %(community)s"),
        N_(
            "%(community)s published version %(version)s of its code of conduct. "
            "Read and accept it before you post again."
        ),
        N_("Read the code of conduct"),
    ),
    "member_removed": (
        N_("You were removed from %(community)s"),
        N_("A moderator removed you from %(community)s. Reason: %(reason)s"),
        N_("Find other communities"),
    ),
    "member_banned": (
        N_("You were banned from %(community)s"),
        N_("A moderator banned you from %(community)s. Reason: %(reason)s"),
        N_("Find other communities"),
    ),
    "community_handed_over": (
        N_("%(community)s has a new owner"),
        N_(
            "Its owner closed their account, so %(new_owner)s, its longest-serving moderator, "
            "now runs %(community)s."
        ),
        N_("Open the community"),
    ),
    "community_archived_ownerless": (
        N_("%(community)s was archived"),
        N_(
            "Its owner closed their account and no moderator could take it over, so "
            "%(community)s is archived: you can still read it, but nothing new can be added."
        ),
        N_("Open the community"),
    ),
    "member_role_changed": (
        N_("Your role in %(community)s changed"),
        N_("You are now %(role_name)s of %(community)s."),
        N_("Open the community"),
    ),
    "introduction_requested": (
        N_("%(actor)s would like to meet you"),
        N_("%(actor)s, a member of %(community)s, asked to be introduced to you: “%(note)s”"),
        N_("Answer"),
    ),
    "introduction_accepted": (
        N_("%(actor)s accepted your introduction"),
        N_("You and %(actor)s are now connected in %(community)s."),
        N_("Say hello"),
    ),
    "thread_created": (
        N_("New discussion in %(community)s: %(thread_title)s"),
        N_("%(actor)s started “%(thread_title)s”: %(excerpt)s"),
        N_("Read the discussion"),
    ),
    "reply_posted": (
        N_("New reply in “%(thread_title)s”"),
        N_("%(actor)s replied: %(excerpt)s"),
        N_("Read the reply"),
    ),
    "member_mentioned": (
        N_("%(actor)s mentioned you"),
        N_("%(actor)s mentioned you in “%(thread_title)s”: %(excerpt)s"),
        N_("Read the post"),
    ),
    "direct_message": (
        N_("New message from %(actor)s"),
        N_("%(actor)s wrote to you: %(excerpt)s"),
        N_("Answer"),
    ),
    "post_moderated": (
        N_("A moderator reviewed your post in %(community)s"),
        N_("Your post “%(title)s” was %(action)s. Reason: %(reason)s"),
        N_("Open the community"),
    ),
    "gathering_scheduled": (
        N_("New event in %(community)s: %(title)s"),
        N_("“%(title)s” takes place on %(starts)s."),
        N_("See the event"),
    ),
    "gathering_changed": (
        N_("“%(title)s” has changed"),
        N_("The details of “%(title)s” changed. It now takes place on %(starts)s."),
        N_("See the event"),
    ),
    "gathering_cancelled": (
        N_("“%(title)s” is cancelled"),
        N_("“%(title)s”, planned for %(starts)s, is cancelled."),
        N_("See the event"),
    ),
    "waitlist_promoted": (
        N_("You have a place at “%(title)s”"),
        N_("A place freed up: you are going to “%(title)s” on %(starts)s."),
        N_("See the event"),
    ),
    "gathering_reminder": (
        N_("Reminder: “%(title)s”"),
        N_("“%(title)s” starts on %(starts)s."),
        N_("See the event"),
    ),
    "webhook_disabled": (
        N_("A webhook of %(community)s was disabled"),
        N_(
            "%(url)s failed %(failures)s times in a row and no longer receives events. "
            "Fix it, enable it again, then replay what it missed."
        ),
        N_("Manage webhooks"),
    ),
}

ROLE_NAMES: Mapping[str, str] = {
    "owner": N_("the owner"),
    "moderator": N_("a moderator"),
    "member": N_("a member"),
}

ACTION_NAMES: Mapping[str, str] = {
    "hidden": N_("hidden"),
    "restored": N_("restored"),
    "removed": N_("removed"),
}

FALLBACK = (N_("News from Cerchia"), N_("Something happened in Cerchia."), N_("Open Cerchia"))


def moment_text(moment: datetime, zone_name: str | None, locale: str) -> str:
    """A moment as ``locale`` writes it, in ``zone_name`` (the platform's default zone when
    none or unknown), naming the zone: "Dec 3, 2026, 11:09 PM EST", "4 dic 2026, 05:09 CET",
    or the zone's id where the language has no common abbreviation for it:
    "Dec 4, 2026, 1:09 PM (Asia/Tokyo)". A reader in another zone is never left guessing."""
    tz = zone(zone_name)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    lang = language(locale)
    day = format_date(moment.astimezone(tz), "medium", locale=lang)
    clock = format_time(moment, "short", tzinfo=tz, locale=lang)
    text = f"{day}, {clock}"
    abbreviation = format_datetime(moment, "z", tzinfo=tz, locale=lang)
    if abbreviation.isalpha():
        return f"{text} {abbreviation}"
    return f"{text} ({tz.key})"


class Copy:
    """Renders the short texts of a notification in a person's language."""

    def values(self, locale: str, context: Mapping[str, Any]) -> dict[str, Any]:
        """The context with dates and roles made readable in ``locale``."""
        gettext = translations(locale).gettext
        values: dict[str, Any] = defaultdict(str, context)
        # A link's expiry is the recipient's business: their zone. An event's start: the
        # recipient's zone too, else the event's own.
        expires = context.get("expires_at")
        if isinstance(expires, str) and expires:
            values["expires"] = moment_text(
                datetime.fromisoformat(expires), context.get("timezone") or None, locale
            )
        starts = context.get("starts_at")
        if isinstance(starts, str) and starts:
            values["starts"] = moment_text(
                datetime.fromisoformat(starts),
                context.get("timezone") or context.get("time_zone") or None,
                locale,
            )
        action = context.get("action")
        if isinstance(action, str) and action in ACTION_NAMES:
            values["action"] = gettext(ACTION_NAMES[action])
        role = context.get("role")
        if isinstance(role, str) and role in ROLE_NAMES:
            values["role_name"] = gettext(ROLE_NAMES[role])
        return values

    def texts(self, kind: str, locale: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
        """Title, body and call to action."""
        gettext = translations(locale).gettext
        values = self.values(locale, context)
        title, body, action = NOTICES.get(kind, FALLBACK)
        return gettext(title) % values, gettext(body) % values, gettext(action) % values

    def notice(self, kind: str, locale: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """Title and body (feed, push, digest)."""
        title, body, _ = self.texts(kind, locale, context)
        return title, body
