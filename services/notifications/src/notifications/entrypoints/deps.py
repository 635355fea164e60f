"""Dependencies shared by the routes: the running container."""

from typing import Annotated

from fastapi import Depends

from cerchia_chassis.service_app import container
from notifications.container import Container

Deps = Annotated[Container, Depends(container)]
