"""Reading and changing preferences, and one-click unsubscribe from an email."""

from cerchia_chassis.domain.cursors import InvalidCursor
from notifications.domain.categories import UNSUBSCRIBABLE, Category
from notifications.domain.errors import InvalidUnsubscribeToken
from notifications.domain.preferences import Preferences, check_preferences
from notifications.service.ports import Ports

#: The unsubscribe scope of digest emails (they mix categories).
DIGEST_SCOPE = "digest"


async def get_preferences(user_id: str, *, cursor: str | None = None, ports: Ports) -> Preferences:
    """The caller's preferences, defaults filled in. They come whole, never in pages: a
    ``cursor`` can only be one this API did not issue (``InvalidCursor``, the chassis's 400)."""
    if cursor is not None:
        raise InvalidCursor
    return await ports.preferences.get(user_id)


async def put_preferences(user_id: str, preferences: Preferences, *, ports: Ports) -> Preferences:
    """Replace the caller's preferences, refused (``InvalidPreferences``) where they could not
    be honoured (``check_preferences``)."""
    current = await ports.preferences.get(user_id)
    named = set(preferences.communities) | set(preferences.community_digests)
    known = {c for c in named if await ports.communities.community(c) is not None}
    check_preferences(preferences, known_communities=known, current=current)
    await ports.preferences.put(user_id, preferences)
    return preferences


def unsubscribe_scope(
    category: Category | None, template: str, community_id: str | None = None
) -> str | None:
    """What an email's one-click unsubscribe turns off; None for security messages."""
    if template == "digest":
        return f"{DIGEST_SCOPE}:{community_id}" if community_id else DIGEST_SCOPE
    return category.value if category in UNSUBSCRIBABLE else None


def _turned_off(current: Preferences, scope: str) -> Preferences:
    """The preferences with what ``scope`` names turned off."""
    if scope == DIGEST_SCOPE:
        return current.with_digest_off()
    if scope.startswith(DIGEST_SCOPE + ":"):
        return current.with_community_digest_off(scope.removeprefix(DIGEST_SCOPE + ":"))
    try:
        category = Category(scope)
    except ValueError:
        raise InvalidUnsubscribeToken("the unsubscribe link names no category") from None
    if category not in UNSUBSCRIBABLE:
        raise InvalidUnsubscribeToken("security messages cannot be turned off")
    return current.with_email_off(category)


async def unsubscribe(token: str, *, ports: Ports) -> tuple[str, str]:
    """Turn off the email the token names; return (user id, scope). Idempotent."""
    found = ports.unsubscribe_tokens.read(token)
    if found is None:
        raise InvalidUnsubscribeToken("the unsubscribe link is not valid")
    user_id, scope = found
    current = await ports.preferences.get(user_id)
    await ports.preferences.put(user_id, _turned_off(current, scope))
    return found
