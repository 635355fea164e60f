"""Content's entrypoints."""
