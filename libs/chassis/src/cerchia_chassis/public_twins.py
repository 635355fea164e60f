"""The integrators' copies of internal events, written by the producer's outbox.

For every internal event with a public view (``cerchia_contracts.public_views``) the outbox adds,
in the same transaction, its public twin — but only when the producer's own data says the
event's community is public at that moment (and, for a gathering, that the gathering is public).
One rule for every producer: nothing reaches a public topic unless the producer has positively
seen it public; an unknown community is not public.
"""

from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.public_views import PublicView, view_of

PUBLIC = "public"


class PublicTwins:
    """Derives the public twins of a batch of events from the producer's collections.

    ``communities`` (and ``gatherings``, for the events service) are collections keyed by id with
    a ``visibility`` field, which every producer keeps for its own authorization.
    """

    def __init__(
        self,
        db: AsyncDatabase[Document],
        *,
        communities: str = "communities",
        gatherings: str | None = None,
    ) -> None:
        self._communities = db[communities]
        self._gatherings = db[gatherings] if gatherings else None

    async def of(self, session: Session, events: Sequence[AnyEvent]) -> list[AnyEvent]:
        """The twins of those ``events`` that may be public, in order."""
        candidates = [(event, view) for event in events if (view := view_of(event)) is not None]
        if not candidates:
            return []
        asked = [(event, view) for event, view in candidates if not view.decides_itself]
        public_communities = await self._public(
            self._communities, {_field(e, "community_id") for e, _ in asked}, session
        )
        public_gatherings = await self._public(
            self._gatherings,
            {_field(e, "gathering_id") for e, view in asked if view.gathering},
            session,
        )
        twins = []
        for event, view in candidates:
            if view.decides_itself or _allowed(event, view, public_communities, public_gatherings):
                twin = view.twin(event)
                if twin is not None:
                    twins.append(twin)
        return twins

    @staticmethod
    async def _public(collection: object, ids: set[str], session: Session) -> set[str]:
        if not ids or collection is None:
            return set()
        cursor = collection.find(  # type: ignore[attr-defined]
            {"_id": {"$in": sorted(ids)}, "visibility": PUBLIC}, {"_id": 1}, session=session
        )
        return {doc["_id"] for doc in await cursor.to_list()}


def _field(event: AnyEvent, name: str) -> str:
    return str(getattr(event.data, name))


def _allowed(
    event: AnyEvent, view: PublicView, communities: set[str], gatherings: set[str]
) -> bool:
    if _field(event, "community_id") not in communities:
        return False
    return not view.gathering or _field(event, "gathering_id") in gatherings
