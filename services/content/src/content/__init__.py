"""Cerchia content service."""
