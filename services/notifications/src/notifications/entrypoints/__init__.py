"""Notifications entrypoints: Kafka subscribers and HTTP routes."""
