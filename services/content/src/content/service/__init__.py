"""Content's service."""
