"""Notifications adapters: MongoDB projections and queues, SMTP, templates."""
