"""Kafka broker factory: FastStream on aiokafka with an idempotent producer and telemetry."""

import asyncio
import logging

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import trace

from cerchia_chassis.settings import ServiceSettings


def build_broker(settings: ServiceSettings) -> KafkaBroker:
    """A broker whose producer waits for all in-sync replicas and never duplicates on retry.

    It connects as the service's own principal (TLS and SASL from ``settings.kafka_access``).
    Nothing connects here; the service's lifespan starts and stops the broker.
    """
    access = settings.kafka_access
    return KafkaBroker(
        access.bootstrap,
        security=access.security(),
        client_id=settings.kafka_client_id or settings.service_name,
        acks="all",
        enable_idempotence=True,
        linger_ms=settings.kafka_linger_ms,
        middlewares=(KafkaTelemetryMiddleware(tracer_provider=trace.get_tracer_provider()),),
        logger=logging.getLogger(f"{settings.service_name}.kafka"),
        graceful_timeout=10.0,
    )


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
