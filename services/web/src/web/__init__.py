"""Cerchia web: the members' web client."""
