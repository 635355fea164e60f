"""Errors the account, session and profile rules raise."""

from collections.abc import Mapping
from datetime import timedelta

from membership.domain.errors import MembershipError


class InvalidCredentials(MembershipError):
    """The email and password do not match an account."""

    def __init__(self) -> None:
        super().__init__("The email or the password is not correct.")


class WrongPassword(MembershipError):
    """The current password given to confirm a sensitive action is wrong."""

    def __init__(self) -> None:
        super().__init__("The current password is not correct.")


class Throttled(MembershipError):
    """Too many attempts: the caller must wait before trying again."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("Too many attempts; try again later.")
        self.retry_after = retry_after


class InvalidRefreshToken(MembershipError):
    """The refresh token is unknown, expired or revoked."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"The refresh token is not valid ({reason}).")
        self.reason = reason


class RefreshTokenReused(InvalidRefreshToken):
    """A rotated refresh token came back: the whole session was revoked."""

    def __init__(self) -> None:
        super().__init__("it was already used; the session is revoked")


class InvalidOneTimeToken(MembershipError):
    """A verification or reset token is unknown, used or expired."""

    def __init__(self) -> None:
        super().__init__("The link is not valid: it may be expired or already used.")


class EmailAlreadyVerified(MembershipError):
    """The account's email address is verified already."""

    def __init__(self) -> None:
        super().__init__("The email address is already verified.")


class UserNotFound(MembershipError):
    """No account has this id."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"No user {user_id}.")
        self.user_id = user_id


class ProfileRestricted(MembershipError):
    """The profile is visible only to members of its owner's communities."""

    def __init__(self) -> None:
        super().__init__("This profile is visible only to members of its owner's communities.")


class HandleTaken(MembershipError):
    """Another account already uses this handle."""

    def __init__(self, handle: str) -> None:
        super().__init__(f"The handle @{handle} is taken.")
        self.handle = handle


class InvalidProfile(MembershipError):
    """Profile fields break a rule; ``errors`` maps each field to what is wrong."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)
