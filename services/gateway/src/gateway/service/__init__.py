"""Gateway use cases: the combined profile, the merged API documents."""
