"""A community on the real stack, built from contract events, and polling helpers shared by
the notifications integration tests."""

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from cerchia_contracts.events import content as c
from cerchia_contracts.events import gatherings as g
from cerchia_contracts.events import membership as m
from cerchia_devstack.mail_sink import MailSink


def uid() -> str:
    return str(uuid.uuid4())


class World:
    """A community with an owner (en), a moderator (it) and an applicant (it)."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.tag = tag
        self.community = uid()
        self.owner, self.moderator, self.applicant = uid(), uid(), uid()
        self.emails = {
            self.owner: f"owner-{tag}@example.org",
            self.moderator: f"mod-{tag}@example.org",
            self.applicant: f"ada-{tag}@example.org",
        }

    def registered(self, user: str, name: str, locale: str) -> m.UserRegisteredV1:
        return m.UserRegisteredV1.new(
            subject=user,
            data=m.UserRegistered(
                user_id=user, email=self.emails[user], display_name=name, locale=locale
            ),
        )

    def setup_events(self) -> list[Any]:
        people = [
            (self.owner, "Olga", "en"),
            (self.moderator, "Marco", "it"),
            (self.applicant, "Ada", "it"),
        ]
        events: list[Any] = [self.registered(user, name, locale) for user, name, locale in people]
        events.append(
            m.CommunityCreatedV1.new(
                subject=self.community,
                data=m.CommunityCreated(
                    community_id=self.community,
                    actor_id=self.owner,
                    slug=f"lettori-{self.community[:6]}",
                    name="Lettori",
                    purpose="Read together",
                    audience="Readers",
                    language="it",
                    visibility="public",
                    join_policy="application",
                    capacity=150,
                    owner_id=self.owner,
                    code_of_conduct_version=1,
                ),
            )
        )
        # Membership announces the founder's own join right after the community.
        events.append(self.joined(self.owner, role="owner"))
        events.append(self.joined(self.moderator, role="moderator"))
        return events

    def joined(self, user: str, role: str = "member") -> m.MemberJoinedV1:
        return m.MemberJoinedV1.new(
            subject=self.community,
            data=m.MemberJoined(
                community_id=self.community,
                actor_id=user,
                user_id=user,
                role=role,  # type: ignore[arg-type]
                via="application",
                code_of_conduct_version=1,
            ),
        )

    def applied(self, applicant: str | None = None) -> m.ApplicationSubmittedV1:
        applicant = applicant or self.applicant
        return m.ApplicationSubmittedV1.new(
            subject=self.community,
            data=m.ApplicationSubmitted(
                community_id=self.community,
                actor_id=applicant,
                application_id=uid(),
                applicant_id=applicant,
            ),
        )

    def thread(self, author: str, title: str) -> c.ThreadCreatedV1:
        return c.ThreadCreatedV1.new(
            subject=self.community,
            data=c.ThreadCreated(
                community_id=self.community,
                actor_id=author,
                thread_id=uid(),
                thread_title=title,
                thread_author_id=author,
                excerpt="Che cosa leggete quest'estate?",
            ),
        )

    def mention(self, author: str, mentioned: str, title: str) -> c.MemberMentionedV1:
        return c.MemberMentionedV1.new(
            subject=self.community,
            data=c.MemberMentioned(
                community_id=self.community,
                actor_id=author,
                thread_id=uid(),
                thread_title=title,
                thread_author_id=author,
                mentioned_user_id=mentioned,
                post_kind="reply",
                post_id=uid(),
                excerpt="@Olga what do you think?",
            ),
        )

    def _gathering(self, title: str, starts_in: timedelta) -> dict[str, Any]:
        starts = (datetime.now(UTC) + starts_in).replace(microsecond=0)
        return {
            "community_id": self.community,
            "gathering_id": uid(),
            "actor_id": self.moderator,  # the host; never told of their own change
            "title": title,
            "format": "in_person",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "time_zone": "Europe/Rome",
            "starts_at_local": starts.isoformat(),
        }

    def cancelled(
        self, title: str, attendees: list[str], starts_in: timedelta
    ) -> g.GatheringCancelledV1:
        fact = self._gathering(title, starts_in)
        return g.GatheringCancelledV1.new(
            subject=fact["gathering_id"],
            data=g.GatheringCancelled(
                **fact, reason="The venue is closed", attendee_ids=tuple(attendees)
            ),
        )

    def reminder(self, title: str, attendees: list[str]) -> g.ReminderDueV1:
        fact = {**self._gathering(title, timedelta(days=1)), "actor_id": None}
        return g.ReminderDueV1.new(
            subject=fact["gathering_id"],
            data=g.ReminderDue(
                **fact,
                reminder_id=uid(),
                offset_seconds=86_400,
                attendee_ids=tuple(attendees),
            ),
        )


async def set_up(w: World, publish: Any, sink: MailSink) -> None:
    """Publish the world and wait until the users are projected (their welcome arrived): users
    and communities are different topics, consumed independently."""
    await publish(*w.setup_events())
    # A fresh notifications process reads its topics from the beginning: in a full run, every
    # earlier test's history comes first (thousands of sign-ups), so the first wait is generous.
    for address in w.emails.values():
        await sink.wait_for(mail(address), timeout=240)


def mail(to: str, subject: str | None = None) -> Callable[[EmailMessage], bool]:
    return lambda msg: msg["To"] == to and (subject is None or msg["Subject"] == subject)


async def count(sink: MailSink, to: str, subject: str) -> int:
    return sum(1 for msg in await sink.messages() if mail(to, subject)(msg))


async def until(check: Callable[[], Any], timeout: float = 30) -> Any:
    """Poll an async check until it returns something truthy."""
    async with asyncio.timeout(timeout):
        while not (result := await check()):
            await asyncio.sleep(0.1)
        return result


async def settle(publish: Any, sink: MailSink) -> None:
    """Wait until everything published before has been processed: a sentinel welcome arrives."""
    sentinel = uid()
    address = f"sentinel-{sentinel[:8]}@example.org"
    await publish(
        m.UserRegisteredV1.new(
            subject=sentinel,
            data=m.UserRegistered(user_id=sentinel, email=address, display_name="S", locale="en"),
        )
    )
    await sink.wait_for(mail(address), timeout=30)
