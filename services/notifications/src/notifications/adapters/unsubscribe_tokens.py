"""Signed one-click unsubscribe tokens (itsdangerous): tamper-proof, no state to store."""

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "cerchia.notifications.unsubscribe"


class SignedUnsubscribeTokens:
    """``{user, scope}`` signed with the service's secret."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=SALT)

    def issue(self, user_id: str, scope: str) -> str:
        """A token that turns off ``scope`` for ``user_id``."""
        return str(self._serializer.dumps({"u": user_id, "s": scope}))

    def read(self, token: str) -> tuple[str, str] | None:
        """The (user id, scope) a genuine token names, else None."""
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            return None
        if not isinstance(payload, dict):
            return None
        user, scope = payload.get("u"), payload.get("s")
        if not isinstance(user, str) or not isinstance(scope, str):
            return None
        return user, scope
