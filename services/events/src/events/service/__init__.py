"""Use cases of the events service."""
