"""HTTP routes of the notifications service."""
