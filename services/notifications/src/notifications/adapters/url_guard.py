"""Outbound address checks: webhooks and push may not reach private, loopback or link-local
addresses, and connect to the very address that was checked (no second DNS lookup between the
check and the connection, so a rebinding name cannot slip through)."""

import asyncio
import ipaddress
import socket
import typing
from urllib.parse import urlsplit

import httpcore
from aiohttp.abc import AbstractResolver, ResolveResult
from httpcore import AsyncNetworkBackend, AsyncNetworkStream
from httpcore._backends.auto import AutoBackend
from httpcore._backends.base import SOCKET_OPTION

from notifications.domain.errors import UnsafeUrl


async def public_addresses(
    host: str, port: int, *, allow_private: bool, family: int = socket.AF_UNSPEC
) -> list[tuple[int, str]]:
    """``host``'s addresses as (family, ip), resolved once; ``UnsafeUrl`` when it does not
    resolve or any address is not public (unless ``allow_private``)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, family=family, type=socket.SOCK_STREAM
        )
    except OSError as exc:
        raise UnsafeUrl(f"cannot resolve {host}") from exc
    found: list[tuple[int, str]] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not allow_private and not address.is_global:
            raise UnsafeUrl(f"{host} resolves to a non-public address")
        found.append((int(info[0]), str(address)))
    if not found:
        raise UnsafeUrl(f"cannot resolve {host}")
    return found


class NonPublicAddress(OSError):
    """A resolver's refusal: the name resolves to a non-public address."""


def literal_problem(url: str, *, allow_private: bool) -> str | None:
    """Why ``url``'s host, when it is an IP literal, may not be called (resolvers never see
    literals); None for names, which the pinned resolvers check when connecting."""
    host = urlsplit(url).hostname
    if allow_private or host is None:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return None if address.is_global else f"{host} is a non-public address"


class NetworkUrlGuard:
    """Resolves the host and refuses non-public addresses (unless settings allow them)."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    async def check(self, url: str) -> None:
        """Raise ``UnsafeUrl`` when ``url`` may not be called."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UnsafeUrl("only absolute http(s) URLs are accepted")
        if self.allow_private:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise UnsafeUrl("the port must be between 1 and 65535") from exc
        await public_addresses(parts.hostname, port, allow_private=False)


class PinnedBackend(AsyncNetworkBackend):
    """An httpcore network backend that resolves each host once, refuses non-public addresses
    and connects to the address it checked. TLS still names the host (httpcore passes the
    URL's host as SNI and the ``Host`` header is the URL's), so certificates are verified
    against the name, not the address."""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._backend = AutoBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: typing.Iterable[SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        try:
            addresses = await public_addresses(host, port, allow_private=self._allow_private)
        except UnsafeUrl as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for _, address in addresses:
            try:
                return await self._backend.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # public_addresses never returns an empty list
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: typing.Iterable[SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not reachable from here")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class PinnedResolver(AbstractResolver):
    """aiohttp's resolver for push services: the addresses it hands the connector are the ones
    it checked. (aiohttp skips resolvers for IP literals: ``NetworkUrlGuard.check`` covers those
    before a request.)"""

    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            addresses = await public_addresses(
                host, port, allow_private=self._allow_private, family=family
            )
        except UnsafeUrl as exc:
            raise NonPublicAddress(str(exc)) from exc
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=address_family,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address_family, address in addresses
        ]

    async def close(self) -> None:
        return None
