"""Why the account, session and profile rules refuse, each a kind of the chassis's refusals."""

import math
from collections.abc import Mapping
from datetime import timedelta

from cerchia_chassis.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthenticated,
)


class EmailAlreadyRegistered(Conflict):
    """Another account already uses this email address."""

    code = "email-taken"

    def __init__(self, email: str) -> None:
        super().__init__(f"An account with {email} already exists.")
        self.email = email


class InvalidCredentials(Unauthenticated):
    """The email and password do not match an account."""

    code = "invalid-credentials"

    def __init__(self) -> None:
        super().__init__("The email or the password is not correct.")


class WrongPassword(Forbidden):
    """The current password given to confirm a sensitive action is wrong."""

    code = "wrong-password"

    def __init__(self) -> None:
        super().__init__("The current password is not correct.")


class Throttled(RateLimited):
    """Too many attempts: the caller must wait ``retry_after`` before trying again."""

    code = "too-many-attempts"

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(
            "Too many attempts; try again later.",
            retry_after_s=max(1, math.ceil(retry_after.total_seconds())),
        )
        self.retry_after = retry_after


class InvalidRefreshToken(Unauthenticated):
    """The refresh token is unknown, expired or revoked."""

    code = "invalid-refresh-token"

    def __init__(self, reason: str) -> None:
        super().__init__(f"The refresh token is not valid ({reason}).")
        self.reason = reason


class RefreshTokenReused(InvalidRefreshToken):
    """A rotated refresh token came back: the whole session was revoked."""

    code = "refresh-token-reused"

    def __init__(self) -> None:
        super().__init__("it was already used; the session is revoked")


class InvalidOneTimeToken(DomainError):
    """A verification or reset token is unknown, used or expired.

    Of no kind with a status of its own: the request is bad as sent, 400.
    """

    code = "invalid-link-token"

    def __init__(self) -> None:
        super().__init__("The link is not valid: it may be expired or already used.")


class EmailAlreadyVerified(Conflict):
    """The account's email address is verified already."""

    code = "email-already-verified"

    def __init__(self) -> None:
        super().__init__("The email address is already verified.")


class UserNotFound(NotFound):
    """No account has this id."""

    code = "user-not-found"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"No user {user_id}.")
        self.user_id = user_id


class ProfileRestricted(Forbidden):
    """The profile is visible only to members of its owner's communities."""

    code = "profile-restricted"

    def __init__(self) -> None:
        super().__init__("This profile is visible only to members of its owner's communities.")


class HandleTaken(Conflict):
    """Another account already uses this handle."""

    code = "handle-taken"

    def __init__(self, handle: str) -> None:
        super().__init__(f"The handle @{handle} is taken.")
        self.handle = handle


class InvalidProfile(Invalid):
    """Profile fields break a rule; ``errors`` maps each field to what is wrong."""

    code = "invalid-profile"

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(
            "; ".join(f"{field}: {message}" for field, message in errors.items()),
            # Shaped like a validation error's ``errors``: one per field.
            members={
                "errors": [
                    {"loc": ["body", field], "msg": message, "type": "value_error"}
                    for field, message in errors.items()
                ]
            },
        )
        self.errors = dict(errors)


class AccountDisabled(Forbidden):
    """An operator disabled the account: no login, no refresh until it is enabled again."""

    code = "account-disabled"

    def __init__(self) -> None:
        super().__init__("This account is disabled; contact the platform's support.")


class NotOperator(Forbidden):
    """Only the platform's operators (settings ``operator_ids``) may do this."""

    code = "not-operator"

    def __init__(self) -> None:
        super().__init__("Only the platform's operators may do this.")
