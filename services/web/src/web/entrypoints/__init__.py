"""entrypoints of the web client."""
