"""What membership's routes depend on: the running container and the caller's address."""

from typing import Annotated

from fastapi import Depends, Request

from cerchia_chassis.service_app import container
from membership.container import Container


async def client_ip(request: Request) -> str:
    """The caller's address (uvicorn applies X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


#: Route parameter: the composition root (``deps.accounts``, ``deps.community``).
Deps = Annotated[Container, Depends(container)]
ClientIp = Annotated[str, Depends(client_ip)]
