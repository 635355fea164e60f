"""Cerchia membership service."""
