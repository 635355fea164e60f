"""Cerchia gateway."""
