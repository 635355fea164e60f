"""Membership adapters: MongoDB repositories and password hashing."""
