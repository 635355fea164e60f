"""Cerchia notifications service."""
