"""Cerchia microservice chassis: one call wires settings, Kafka, MongoDB, outbox, inbox, telemetry, health."""
