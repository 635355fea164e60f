"""MongoDB on PyMongo's async client: one database per service, indexes at startup, transactions."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from cerchia_chassis.settings import DEFAULT_MAX_TRANSACTIONS, ServiceSettings

Document = dict[str, Any]
Session = AsyncClientSession
T = TypeVar("T")

#: Set while a task runs inside a transaction: a nested one must not wait for a slot the outer
#: one holds (with every slot held that way, nothing would ever be released).
_in_transaction: ContextVar[bool] = ContextVar("in_transaction", default=False)


@dataclass(frozen=True)
class Indexes:
    """The indexes one collection needs."""

    collection: str
    models: Sequence[IndexModel] = field(default_factory=tuple)


def build_mongo_client(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    """A client that connects lazily; safe to build in a composition root."""
    return AsyncMongoClient(
        settings.mongo_uri,
        appname=settings.service_name,
        maxPoolSize=settings.mongo_max_pool_size,
        serverSelectionTimeoutMS=settings.mongo_timeout_ms,
        connectTimeoutMS=settings.mongo_timeout_ms,
        socketTimeoutMS=settings.mongo_socket_timeout_ms,
        timeoutMS=settings.mongo_operation_timeout_ms or None,
        tz_aware=True,
        uuidRepresentation="standard",
        w="majority",
    )


async def ensure_indexes(db: AsyncDatabase[Document], specs: Sequence[Indexes]) -> None:
    """Create every declared index (idempotent); collections are created first for transactions."""
    existing = set(await db.list_collection_names())
    for spec in specs:
        if spec.collection not in existing:
            await db.create_collection(spec.collection)
        if spec.models:
            await db[spec.collection].create_indexes(list(spec.models))


class Transactions:
    """Runs a unit of work in one MongoDB transaction, retried on transient errors.

    At most ``limit`` transactions of this process are open at once; the rest wait their turn
    in arrival order. Open transactions compete for the same server resources, and past a point
    each one lasts longer, overlaps more others and is aborted and retried more often, until the
    server spends its time on retries: admitting a bounded number keeps throughput steady under
    a burst instead of letting it collapse (docs/benchmarks.md, "Content's write path").
    """

    def __init__(
        self, client: AsyncMongoClient[Document], *, limit: int = DEFAULT_MAX_TRANSACTIONS
    ) -> None:
        if limit < 1:
            raise ValueError("a transaction limit below 1 would admit none")
        self._client = client
        self._admitted = asyncio.Semaphore(limit)

    async def run(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Run ``work(session)`` in a transaction; ``with_transaction`` retries WriteConflicts."""
        admitted = contextlib.nullcontext() if _in_transaction.get() else self._admitted
        async with admitted, self._client.start_session() as session:
            token = _in_transaction.set(True)
            try:
                return await session.with_transaction(
                    work,
                    read_concern=ReadConcern("snapshot"),
                    write_concern=WriteConcern("majority"),
                )
            finally:
                _in_transaction.reset(token)
