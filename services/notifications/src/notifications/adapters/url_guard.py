"""Outbound URL checks: webhooks may not reach private, loopback or link-local addresses."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from notifications.domain.errors import UnsafeUrl


class NetworkUrlGuard:
    """Resolves the host and refuses non-public addresses (unless settings allow them)."""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private

    async def check(self, url: str) -> None:
        """Raise ``UnsafeUrl`` when ``url`` may not be called."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UnsafeUrl("only absolute http(s) URLs are accepted")
        if self._allow_private:
            return
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                parts.hostname,
                parts.port or (443 if parts.scheme == "https" else 80),
                type=socket.SOCK_STREAM,
            )
        except OSError as exc:
            raise UnsafeUrl(f"cannot resolve {parts.hostname}") from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise UnsafeUrl(f"{parts.hostname} resolves to a non-public address")
