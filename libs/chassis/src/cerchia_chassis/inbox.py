"""Idempotent inbox: an event's effect is recorded once per consumer, whatever the redeliveries."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cerchia_chassis.mongo import Document, Indexes, Session, Transactions

INBOX = "inbox"
RETENTION = timedelta(days=30)


class _AlreadyProcessed(Exception):
    pass


class Inbox:
    """Runs an effect in the same transaction as the (consumer, event id) record."""

    indexes: Sequence[Indexes] = (
        Indexes(
            INBOX,
            (
                IndexModel(
                    [("consumer", ASCENDING), ("event_id", ASCENDING)],
                    unique=True,
                    name="consumer_event_unique",
                ),
                IndexModel(
                    "processed_at",
                    expireAfterSeconds=int(RETENTION.total_seconds()),
                    name="processed_retention",
                ),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document], transactions: Transactions) -> None:
        self._collection = db[INBOX]
        self._transactions = transactions

    async def process_once(
        self,
        *,
        consumer: str,
        event_id: str,
        effect: Callable[[Session], Awaitable[None]],
    ) -> bool:
        """Apply ``effect`` unless this consumer already did for this event; True if applied."""

        async def work(session: Session) -> None:
            try:
                await self._collection.insert_one(
                    {
                        "consumer": consumer,
                        "event_id": event_id,
                        "processed_at": datetime.now(UTC),
                    },
                    session=session,
                )
            except DuplicateKeyError as exc:
                raise _AlreadyProcessed from exc
            await effect(session)

        try:
            await self._transactions.run(work)
        except _AlreadyProcessed:
            return False
        return True
