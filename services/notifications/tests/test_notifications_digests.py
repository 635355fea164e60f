"""The digest scheduler with in-memory ports: one email per person and community."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cerchia_chassis.domain.community import CommunityState
from notifications.adapters.smtp import SmtpEmailSender
from notifications.adapters.smtp_connections import SmtpConnections
from notifications.adapters.templates import EmailTemplates
from notifications.adapters.unsubscribe_tokens import SignedUnsubscribeTokens
from notifications.domain.deliveries import Delivery
from notifications.service.digests import send_due_digests
from notifications.service.ports import Contact, DigestEntry, DueDigest
from notifications.service.preferences import unsubscribe_scope
from notifications.settings import NotificationsSettings
from services.notifications.tests.memory import World

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


def entry(user: str, community: str | None, title: str, minutes: int) -> DigestEntry:
    return DigestEntry(
        key=f"{title}:{user}:digest",
        user_id=user,
        community_id=community,
        kind="thread_created",
        title=title,
        body=f"About {title}",
        link=f"/communities/{community}/threads/{title}",
        created_at=NOW - timedelta(minutes=minutes),
    )


def world(due: Sequence[DueDigest], entries: Sequence[DigestEntry]) -> World:
    built = World()
    built.store.due_digests = list(due)
    built.store.digest = list(entries)
    built.store.users["ada"] = Contact("ada", "ada@example.org", "Ada", "en", "Europe/Rome")
    for community, name in (("books", "Lettori"), ("hikes", "Camminatori")):
        built.store.communities[community] = CommunityState(community, name=name)
    return built


async def run(built: World) -> int:
    return await send_due_digests(limit=10, ports=built.sending({}, clock=lambda: NOW))


def queued(built: World) -> list[Delivery]:
    return list(built.store.queue.values())


async def test_one_digest_per_community_named_after_it_and_unsubscribable_alone() -> None:
    due = [DueDigest("ada", "books", NOW), DueDigest("ada", "hikes", NOW)]
    digests = world(
        due,
        [
            entry("ada", "books", "Estate", 30),
            entry("ada", "hikes", "Dolomiti", 20),
            entry("ada", "books", "Autunno", 10),
        ],
    )
    assert await run(digests) == 2
    assert digests.transactions.runs == 2  # one unit of work per digest
    books, hikes = queued(digests)
    assert [i["title"] for i in books.context["items"]] == ["Estate", "Autunno"]
    assert [i["title"] for i in hikes.context["items"]] == ["Dolomiti"]
    assert books.community_id == "books"
    assert books.key != hikes.key
    assert books.key.startswith("digest-ada-books-20260310T0700:ada")

    sender = SmtpEmailSender(
        NotificationsSettings(public_base_url="https://cerchia.example"),
        EmailTemplates(base_url="https://cerchia.example"),
        SignedUnsubscribeTokens("s" * 32),
        SmtpConnections(NotificationsSettings(), size=1),
    )
    message = sender.compose(books)
    assert message["Subject"] == "Your digest of Lettori: 2 new notifications"
    text = message.get_body(("plain",))
    assert text is not None
    assert "here is what happened in Lettori." in text.get_content()
    italian = sender.compose(
        Delivery(**{**books.__dict__, "locale": "it"})  # type: ignore[arg-type]
    )
    assert italian["Subject"] == "Il tuo riepilogo di Lettori: 2 nuove notifiche"
    assert unsubscribe_scope(books.category, books.template, books.community_id) == ("digest:books")


async def test_a_digest_for_someone_not_known_yet_waits_with_its_entries() -> None:
    digests = world([DueDigest("ghost", "books", NOW)], [entry("ghost", "books", "Estate", 5)])
    assert await run(digests) == 1
    assert queued(digests) == []
    due = DueDigest("ghost", "books", NOW)
    assert digests.store.postponed_digests == [(due, NOW + timedelta(days=1))]
    assert len(digests.store.digest) == 1


class Unreachable(Exception):
    """The queue's database went away."""


async def test_a_digest_whose_email_cannot_be_queued_keeps_its_entries() -> None:
    digests = world([DueDigest("ada", "books", NOW)], [entry("ada", "books", "Estate", 5)])

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise Unreachable

    digests.queue.enqueue = broken  # type: ignore[method-assign]
    with pytest.raises(Unreachable):
        await run(digests)
    # The entries were taken in the same unit of work: they are back for the next round.
    assert [e.title for e in digests.store.digest] == ["Estate"]
    assert queued(digests) == []
