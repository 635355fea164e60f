"""The refusals of the notifications use cases, each a chassis kind (its HTTP status follows)."""

from cerchia_chassis.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound


class NotOwner(Forbidden):
    """The caller does not own the community."""

    code = "not-owner"

    def __init__(self) -> None:
        super().__init__("Only the community's owner manages webhooks.")


class WebhookNotFound(NotFound):
    """No such webhook, or not one of the caller's communities (told apart from nothing)."""

    code = "webhook-not-found"

    def __init__(self) -> None:
        super().__init__("No such webhook.")


class WebhookDisabled(Conflict):
    """The endpoint was disabled after repeated failures: enable it before replaying."""

    code = "webhook-disabled"

    def __init__(self) -> None:
        super().__init__("Enable the webhook before replaying.")


class UnsafeUrl(Invalid):
    """The URL points to a private, loopback or link-local address, or is not http(s)."""

    code = "unsafe-url"


class NotOperator(Forbidden):
    """The caller is not on the operations team."""

    code = "not-operator"

    def __init__(self) -> None:
        super().__init__("Only the operations team reads the delivery log.")


class CommunityNotFound(NotFound):
    """Preferences name a community this service does not know (or no longer does)."""

    code = "community-not-found"

    def __init__(self, community_ids: list[str]) -> None:
        super().__init__(f"No such community: {', '.join(community_ids)}.")
        self.community_ids = community_ids


class DeliveryNotFound(NotFound):
    """No such delivery."""

    code = "delivery-not-found"

    def __init__(self) -> None:
        super().__init__("No such delivery.")


class NotRetryable(Conflict):
    """The delivery has not failed, or its single-use secret is gone."""

    code = "delivery-not-retryable"

    def __init__(self) -> None:
        super().__init__("Only failed deliveries that kept their content can be sent again.")


class NotificationNotFound(NotFound):
    """No such notification in the caller's feed."""

    code = "notification-not-found"

    def __init__(self) -> None:
        super().__init__("No such notification.")


class SubscriptionNotFound(NotFound):
    """The caller has no push subscription with this endpoint."""

    code = "subscription-not-found"

    def __init__(self) -> None:
        super().__init__("No such push subscription.")


class InvalidUnsubscribeToken(DomainError):
    """The token was not issued by us, or names nothing one can unsubscribe from (400: a link,
    not a form, was wrong)."""

    code = "invalid-unsubscribe-token"


class InvalidFields(Invalid):
    """Fields of a request break a rule; ``errors`` names each field and what is wrong, shaped
    like a validation error's (``loc``, ``msg``, ``type``)."""

    code = "invalid-fields"

    def __init__(self, errors: dict[str, str], *, code: str | None = None) -> None:
        super().__init__(
            "; ".join(f"{field}: {message}" for field, message in errors.items()),
            code=code,
            members={
                "errors": [
                    {"loc": ["body", *field.split(".")], "msg": message, "type": "value_error"}
                    for field, message in errors.items()
                ]
            },
        )
        self.errors = dict(errors)


class InvalidWebhook(InvalidFields):
    """The registration names an event type webhooks never receive, a URL with credentials,
    a port out of range, or plain http where https is required."""

    code = "invalid-webhook"


class InvalidPushSubscription(InvalidFields):
    """The subscription's endpoint is not https on a known push service, or points at a
    non-public address."""

    code = "invalid-push-subscription"


class InvalidPreferences(InvalidFields):
    """Preferences that could not be honoured: account email off, an empty quiet-hours window,
    an override for a community this service does not know."""

    code = "invalid-preferences"
