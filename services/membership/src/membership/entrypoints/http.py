"""What every membership route depends on: the running container and the caller's address."""

from typing import Annotated

from fastapi import Depends, Request

from membership.container import Container


async def container(request: Request) -> Container:
    """The running service's container."""
    found: Container = request.app.state.container
    return found


async def client_ip(request: Request) -> str:
    """The caller's address (uvicorn applies X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


Deps = Annotated[Container, Depends(container)]
ClientIp = Annotated[str, Depends(client_ip)]
