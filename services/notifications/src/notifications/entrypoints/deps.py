"""Dependencies shared by the routes: the running container."""

from typing import Annotated

from fastapi import Depends, Request

from notifications.container import Container


async def container(request: Request) -> Container:
    """The running service's container."""
    found: Container = request.app.state.container
    return found


Deps = Annotated[Container, Depends(container)]
