"""Event payloads and envelopes, one module per producing service."""
