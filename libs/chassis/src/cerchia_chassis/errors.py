"""Errors shared by the chassis' consumers and the code they call."""


class PermanentError(Exception):
    """A handler failure that retrying cannot fix: the message goes to the DLQ at once."""
