"""The digest scheduler with in-memory ports: one email per person and community."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from notifications.adapters.smtp import SmtpEmailSender
from notifications.adapters.smtp_connections import SmtpConnections
from notifications.adapters.templates import EmailTemplates
from notifications.adapters.unsubscribe_tokens import SignedUnsubscribeTokens
from notifications.domain.deliveries import Delivery
from notifications.service.digests import send_due_digests
from notifications.service.ports import Contact, DigestEntry, DueDigest
from notifications.service.preferences import unsubscribe_scope
from notifications.settings import NotificationsSettings

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


class World:
    def __init__(self, due: Sequence[DueDigest], entries: Sequence[DigestEntry]) -> None:
        self.due = list(due)
        self.entries = list(entries)
        self.queued: list[Delivery] = []
        self.postponed: list[tuple[DueDigest, datetime]] = []
        self.contacts = {"ada": Contact("ada", "ada@example.org", "Ada", "en", "Europe/Rome")}

    # digests
    async def claim_due(self, *, now: datetime, limit: int) -> list[DueDigest]:
        return self.due[:limit]

    async def take(self, due: DueDigest, session: Any) -> list[DigestEntry]:
        mine = [
            e
            for e in self.entries
            if (e.user_id, e.community_id) == (due.user_id, due.community_id)
        ]
        self.entries = [e for e in self.entries if e not in mine]
        return mine

    async def postpone(self, due: DueDigest, *, until: datetime) -> None:
        self.postponed.append((due, until))

    # deliveries, users, communities, transactions
    async def enqueue(self, deliveries: Sequence[Delivery], session: Any) -> None:
        self.queued.extend(deliveries)

    def wake(self) -> None:
        pass

    async def contacts_of(self, ids: Sequence[str], session: Any) -> dict[str, Contact]:
        return {i: self.contacts[i] for i in ids if i in self.contacts}

    async def name(self, community_id: str, session: Any = None) -> str | None:
        return {"books": "Lettori", "hikes": "Camminatori"}.get(community_id)

    async def run(self, work: Callable[[Any], Awaitable[Any]]) -> Any:
        return await work(None)


class Port:
    def __init__(self, **methods: Any) -> None:
        self.__dict__.update(methods)


async def run(world: World) -> int:
    return await send_due_digests(
        digests=world,  # type: ignore[arg-type]
        deliveries=world,  # type: ignore[arg-type]
        users=Port(contacts=world.contacts_of),  # type: ignore[arg-type]
        communities=world,  # type: ignore[arg-type]
        transactions=world,
        limit=10,
        clock=lambda: NOW,
    )


async def test_one_digest_per_community_named_after_it_and_unsubscribable_alone() -> None:
    due = [DueDigest("ada", "books", NOW), DueDigest("ada", "hikes", NOW)]
    world = World(
        due,
        [
            entry("ada", "books", "Estate", 30),
            entry("ada", "hikes", "Dolomiti", 20),
            entry("ada", "books", "Autunno", 10),
        ],
    )
    assert await run(world) == 2
    books, hikes = world.queued
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
    world = World([DueDigest("ghost", "books", NOW)], [entry("ghost", "books", "Estate", 5)])
    assert await run(world) == 1
    assert world.queued == []
    assert world.postponed == [(DueDigest("ghost", "books", NOW), NOW + timedelta(days=1))]
    assert len(world.entries) == 1
