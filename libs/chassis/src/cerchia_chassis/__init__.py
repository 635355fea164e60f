"""Cerchia microservice chassis: settings, Kafka, MongoDB, outbox, inbox, telemetry, health."""
