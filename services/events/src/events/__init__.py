"""Cerchia events service (the aggregate is a Gathering)."""
