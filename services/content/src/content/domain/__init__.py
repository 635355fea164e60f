"""Content domain: entities and rules, free of I/O."""
