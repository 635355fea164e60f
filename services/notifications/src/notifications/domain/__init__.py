"""Notifications domain: deliveries and their rules, free of I/O."""
