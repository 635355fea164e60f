"""Cerchia's local stack without Docker: real servers as processes, a CLI and pytest fixtures."""
