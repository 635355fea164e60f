"""The same infrastructure as containers (testcontainers), when a Docker engine answers.

Images are pinned and overridable with ``CERCHIA_<MONGO|MAILPIT|ZIPKIN>_IMAGE``. Kafka always runs
as the local secured process (``provision.TestInfrastructure.kafka``).
testcontainers is imported only here and only on this path: it is a test dependency.
"""

import functools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

DOCKER_ENV = "CERCHIA_DOCKER"  # "0" never uses Docker, even when an engine answers

_IMAGES = {
    "mongo": "mongo:8.0",
    "mailpit": "axllent/mailpit:v1.29.5",
    "zipkin": "openzipkin/zipkin:3.6.1",
}

Stop = Callable[[], None]


def image(kind: str) -> str:
    """The image for ``kind``, from the environment or the pinned default."""
    return os.environ.get(f"CERCHIA_{kind.upper()}_IMAGE", _IMAGES[kind])


@functools.cache
def docker_available() -> bool:
    """Whether a Docker engine answers a ping (checked once per process).

    The docker SDK runs in a child interpreter: a failed client can leave warnings or unclosed
    sockets behind, which must not reach a test session that turns warnings into errors.
    """
    if os.environ.get(DOCKER_ENV) == "0":
        return False
    probe = "import docker; client = docker.from_env(timeout=3); client.ping(); client.close()"
    try:
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def start_mongo() -> tuple[str, Stop]:
    """MongoDB as a one-member replica set (transactions and change streams need one)."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    container: Any = (
        DockerContainer(image("mongo"))
        .with_command("--replSet rs0 --bind_ip_all")
        .with_exposed_ports(27017)
        .waiting_for(LogMessageWaitStrategy("Waiting for connections"))
    )
    container.start()
    try:
        initiate = "rs.initiate({_id: 'rs0', members: [{_id: 0, host: 'localhost:27017'}]})"
        container.exec(["mongosh", "--quiet", "--eval", initiate])
        host, port = container.get_container_host_ip(), container.get_exposed_port(27017)
        # The member's own name is only valid inside the container: connect directly.
        uri = f"mongodb://{host}:{port}/?directConnection=true"
        deadline = time.monotonic() + 60
        client: MongoClient[dict[str, Any]]
        with MongoClient(uri, serverSelectionTimeoutMS=2000) as client:
            while not client.admin.command("hello").get("isWritablePrimary"):
                if time.monotonic() > deadline:
                    raise TimeoutError("the MongoDB replica set elected no primary in 60s")
                time.sleep(0.5)
    except (PyMongoError, TimeoutError):
        container.stop()
        raise
    return uri, container.stop


def start_mailpit() -> tuple[str, int, str, Stop]:
    """Mailpit; returns SMTP host and port, the HTTP API base URL, and how to remove it."""
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import HttpWaitStrategy

    container: Any = (
        DockerContainer(image("mailpit"))
        .with_exposed_ports(1025, 8025)
        .waiting_for(HttpWaitStrategy(8025, "/api/v1/messages"))
    )
    container.start()
    host = container.get_container_host_ip()
    api = f"http://{host}:{container.get_exposed_port(8025)}"
    return host, int(container.get_exposed_port(1025)), api, container.stop


def start_zipkin() -> tuple[str, Stop]:
    """Zipkin with in-memory storage; returns its base URL."""
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import HttpWaitStrategy

    container: Any = (
        DockerContainer(image("zipkin"))
        .with_exposed_ports(9411)
        .waiting_for(HttpWaitStrategy(9411, "/health"))
    )
    container.start()
    host = container.get_container_host_ip()
    return f"http://{host}:{container.get_exposed_port(9411)}", container.stop
