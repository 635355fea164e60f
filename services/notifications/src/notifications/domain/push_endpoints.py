"""Which push endpoints may be called: https, on a push service the operator lists."""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

#: The push services of the major browsers: Chrome/Edge-on-Android (FCM), Firefox (Mozilla
#: autopush), Edge/Windows (WNS), Safari (Apple).
DEFAULT_PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.notify.windows.com",
    "web.push.apple.com",
)


@dataclass(frozen=True)
class PushEndpointPolicy:
    """The push services browsers' subscriptions may point at. A pattern is a host
    (``fcm.googleapis.com``), any subdomain of one (``*.notify.windows.com``), or either with
    a port (``127.0.0.1:8443``, for a local test push service)."""

    hosts: Sequence[str]
    #: Tests and local development only: a local push service speaks plain http.
    allow_http: bool = False

    def problem(self, endpoint: str) -> str | None:
        """Why ``endpoint`` may not be called, or None."""
        parts = urlsplit(endpoint)
        if parts.scheme != "https" and not (self.allow_http and parts.scheme == "http"):
            return "push endpoints must be https URLs"
        if parts.username is not None or parts.password is not None or not parts.hostname:
            return "not a push service URL"
        try:
            port = parts.port
        except ValueError:
            return "not a push service URL"
        host = parts.hostname.lower().rstrip(".")
        if not any(_matches(pattern.lower(), host, port) for pattern in self.hosts):
            return f"{host} is not a known push service"
        return None


def _matches(pattern: str, host: str, port: int | None) -> bool:
    name, _, wanted_port = pattern.partition(":")
    if wanted_port and str(port) != wanted_port:
        return False
    if name.startswith("*."):
        return host.endswith(name[1:])
    return host == name
