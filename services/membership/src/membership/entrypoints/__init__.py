"""Membership entrypoints: HTTP routes and their schemas."""
