"""Cerchia local stack: real Kafka, MongoDB-compatible server, SMTP sink and tracing UI as local processes."""
