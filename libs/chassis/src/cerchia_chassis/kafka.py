"""Kafka broker factory: FastStream on aiokafka with an idempotent producer and telemetry."""

import logging

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import trace

from cerchia_chassis.settings import ServiceSettings


def build_broker(settings: ServiceSettings) -> KafkaBroker:
    """A broker whose producer waits for all in-sync replicas and never duplicates on retry.

    Nothing connects here; the service's lifespan starts and stops the broker.
    """
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.kafka_client_id or settings.service_name,
        acks="all",
        enable_idempotence=True,
        linger_ms=settings.kafka_linger_ms,
        middlewares=(KafkaTelemetryMiddleware(tracer_provider=trace.get_tracer_provider()),),
        logger=logging.getLogger(f"{settings.service_name}.kafka"),
        graceful_timeout=10.0,
    )
