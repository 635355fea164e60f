"""Kafka broker factory: FastStream on aiokafka with an idempotent producer and telemetry."""

import asyncio
import logging
from typing import Any, Protocol

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import propagate, trace

from cerchia_chassis.settings import ServiceSettings


def build_broker(settings: ServiceSettings) -> KafkaBroker:
    """A broker whose producer waits for all in-sync replicas and never duplicates on retry.

    It connects as the service's own principal (TLS and SASL from ``settings.kafka_access``).
    Nothing connects here; the service's lifespan starts and stops the broker.
    """
    access = settings.kafka_access
    logger = logging.getLogger(f"{settings.service_name}.kafka")
    broker = KafkaBroker(
        access.bootstrap,
        security=access.security(),
        client_id=settings.kafka_client_id or settings.service_name,
        acks="all",
        enable_idempotence=True,
        linger_ms=settings.kafka_linger_ms,
        middlewares=(KafkaTelemetryMiddleware(tracer_provider=trace.get_tracer_provider()),),
        logger=logger,
        graceful_timeout=10.0,
    )
    for old in [f for f in logger.filters if isinstance(f, MessageTraceFilter)]:
        logger.removeFilter(old)  # a broker built earlier in this process (tests)
    logger.addFilter(MessageTraceFilter(broker.context))
    return broker


class _LocalContext(Protocol):
    def get_local(self, key: str, default: Any = None) -> Any: ...


class MessageTraceFilter(logging.Filter):
    """Gives FastStream's own lines about a message the trace the message belongs to.

    FastStream logs "Received", "Processed" and a handler's failure outside the span its
    telemetry middleware opens for the handler, so they would carry no trace id. This filter,
    on the broker's logger, reads the message being handled from FastStream's context and takes
    the trace from its ``traceparent`` header: the same trace id as the handler's own lines, and
    as span id the producer's span (the parent of the handler's span).
    """

    def __init__(self, context: _LocalContext) -> None:
        super().__init__()
        self._context = context

    def filter(self, record: logging.LogRecord) -> bool:
        headers = getattr(self._context.get_local("message"), "headers", None)
        if headers:
            span = trace.get_current_span(propagate.extract(headers)).get_span_context()
            if span.is_valid:
                record.trace_id = format(span.trace_id, "032x")
                record.span_id = format(span.span_id, "016x")
        return True


async def start_broker(broker: KafkaBroker) -> None:
    """Connect, then start every subscriber at once, then the publishers.

    FastStream's ``start`` starts subscribers one by one, and each one's group join waits for
    the ones already in the group to notice a rebalance (a heartbeat, 3 s): a service with nine
    subscribers took half a minute to start or restart. Joining together takes one or two.
    """
    await broker.connect()
    await asyncio.gather(*(subscriber.start() for subscriber in broker.subscribers))
    for publisher in broker.publishers:
        await publisher.start()
    broker.running = True
