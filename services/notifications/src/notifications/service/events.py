"""Handling one domain event: projections, then fan-out, once, in one transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from opentelemetry import propagate

from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m
from cerchia_contracts.events.membership.tokens import SealedToken, sealing_context
from notifications.domain.rules import rule_for
from notifications.service.fanout import EventFacts, Fanout
from notifications.service.ports import Inbox, Session, TokenOpener
from notifications.service.projections import erase_user, project

CONSUMER = "notifications.fanout"


@dataclass(frozen=True)
class EventHandler:
    """Applies an event's projections and fan-out under the inbox (redelivery is a no-op)."""

    inbox: Inbox
    fanout: Fanout
    #: Opens the single-use tokens membership seals to this service's key.
    opener: TokenOpener
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def handle(self, event: AnyEvent) -> bool:
        """Process an event once; True if it was new."""
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        facts = EventFacts(
            id=event.id,
            type=event.type,
            data=self._readable(event),
            payload=event.model_dump_json(),
            trace_headers=carrier,
        )
        now = self.clock()
        rule = rule_for(event.type, facts.data, now=now)
        ports = self.fanout

        async def effect(session: Session) -> None:
            if isinstance(event, m.UserErasedV1):
                await erase_user(
                    event.data.user_id,
                    users=ports.users,
                    communities=ports.communities,
                    preferences=ports.preferences,
                    feed=ports.feed,
                    deliveries=ports.deliveries,
                    digests=ports.digests,
                    push=ports.push,
                    session=session,
                )
                return
            await project(
                event,
                users=ports.users,
                communities=ports.communities,
                deliveries=ports.deliveries,
                now=now,
                session=session,
            )
            await ports.notify(facts, rule, now=now, session=session)

        applied = await self.inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)
        if applied:
            ports.deliveries.wake()
        return applied

    def _readable(self, event: AnyEvent) -> dict[str, object]:
        """The event's data, with a sealed token opened (raises SealingError if it cannot be)."""
        data: dict[str, object] = event.data.model_dump(mode="json")
        sealed = getattr(event.data, "token", None)
        if isinstance(sealed, SealedToken):
            context = sealing_context(event.type, event.subject or "")
            data["token"] = self.opener.open(sealed, context=context)
        return data
