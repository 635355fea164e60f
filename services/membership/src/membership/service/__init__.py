"""Membership use cases."""
