"""Reading and changing preferences, and one-click unsubscribe from an email."""

from typing import Protocol

from notifications.domain.categories import UNSUBSCRIBABLE, Category
from notifications.domain.preferences import Preferences
from notifications.service.ports import PreferenceStore

#: The unsubscribe scope of digest emails (they mix categories).
DIGEST_SCOPE = "digest"


class UnsubscribeTokens(Protocol):
    """Signed, tamper-proof unsubscribe tokens."""

    def issue(self, user_id: str, scope: str) -> str: ...

    def read(self, token: str) -> tuple[str, str] | None: ...


class InvalidUnsubscribeToken(Exception):
    """The token was not issued by us, or names nothing one can unsubscribe from."""


async def get_preferences(user_id: str, *, store: PreferenceStore) -> Preferences:
    """The caller's preferences, defaults filled in."""
    return await store.get(user_id)


async def put_preferences(
    user_id: str, preferences: Preferences, *, store: PreferenceStore
) -> Preferences:
    """Replace the caller's preferences."""
    await store.put(user_id, preferences)
    return preferences


def unsubscribe_scope(
    category: Category, template: str, community_id: str | None = None
) -> str | None:
    """What an email's one-click unsubscribe turns off; None for security messages."""
    if template == "digest":
        return f"{DIGEST_SCOPE}:{community_id}" if community_id else DIGEST_SCOPE
    return category.value if category in UNSUBSCRIBABLE else None


async def unsubscribe(
    token: str, *, tokens: UnsubscribeTokens, store: PreferenceStore
) -> tuple[str, str]:
    """Turn off the email the token names; return (user id, scope). Idempotent."""
    found = tokens.read(token)
    if found is None:
        raise InvalidUnsubscribeToken("the unsubscribe link is not valid")
    user_id, scope = found
    current = await store.get(user_id)
    if scope == DIGEST_SCOPE:
        await store.put(user_id, current.with_digest_off())
        return found
    if scope.startswith(DIGEST_SCOPE + ":"):
        community_id = scope.removeprefix(DIGEST_SCOPE + ":")
        await store.put(user_id, current.with_community_digest_off(community_id))
        return found
    try:
        category = Category(scope)
    except ValueError:
        raise InvalidUnsubscribeToken("the unsubscribe link names no category") from None
    if category not in UNSUBSCRIBABLE:
        raise InvalidUnsubscribeToken("security messages cannot be turned off")
    await store.put(user_id, current.with_email_off(category))
    return found
