"""Errors the membership rules raise."""


class MembershipError(Exception):
    """Base of membership's domain errors."""


class EmailAlreadyRegistered(MembershipError):
    """Another account already uses this email address."""

    def __init__(self, email: str) -> None:
        super().__init__(f"An account with {email} already exists.")
        self.email = email
