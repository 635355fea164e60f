"""Handling one domain event: projections, then fan-out, once, in one transaction."""

from opentelemetry import propagate

from cerchia_chassis.ports import Session
from cerchia_contracts.catalog import AnyEvent
from cerchia_contracts.events import membership as m
from cerchia_contracts.events.membership.tokens import SealedToken, sealing_context
from notifications.domain.rules import rule_for
from notifications.service.fanout import EventFacts, notify
from notifications.service.ports import FanoutPorts, TokenOpener
from notifications.service.projections import erase_user, project

CONSUMER = "notifications.fanout"


def readable(event: AnyEvent, opener: TokenOpener) -> dict[str, object]:
    """The event's data, with a sealed token opened (raises SealingError if it cannot be)."""
    data: dict[str, object] = event.data.model_dump(mode="json")
    sealed = getattr(event.data, "token", None)
    if isinstance(sealed, SealedToken):
        context = sealing_context(event.type, event.subject or "")
        data["token"] = opener.open(sealed, context=context)
    return data


async def handle_event(event: AnyEvent, *, ports: FanoutPorts) -> bool:
    """Apply an event's projections and fan-out under the inbox, once (a redelivery is a
    no-op); True if it was new."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    facts = EventFacts(
        id=event.id,
        type=event.type,
        data=readable(event, ports.opener),
        payload=event.model_dump_json(),
        trace_headers=carrier,
        time=event.time,
    )
    now = ports.clock()
    rule = rule_for(event.type, facts.data, now=now)

    async def effect(session: Session) -> None:
        if isinstance(event, m.UserErasedV1):
            await erase_user(event.data.user_id, ports=ports, session=session)
            return
        await project(event, ports=ports, now=now, session=session)
        await notify(facts, rule, ports=ports, now=now, session=session)

    applied = await ports.inbox.process_once(consumer=CONSUMER, event_id=event.id, effect=effect)
    if applied:
        ports.deliveries.wake()
    return applied
