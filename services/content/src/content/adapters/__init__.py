"""Content's adapters."""
