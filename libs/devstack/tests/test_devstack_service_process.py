"""ServiceProcess on a stand-in service: healthy, SIGKILLed, restarted, stopped."""

import signal
import sys
import textwrap
from pathlib import Path

import pytest

from cerchia_chassis.kafka_access import KafkaAccess
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.ports import free_port
from cerchia_devstack.readiness import StartupError
from cerchia_devstack.service_process import ServiceProcess
from cerchia_devstack.services import Infrastructure, ServiceSpec, service_env

pytestmark = pytest.mark.integration

STAND_IN = """\
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

if os.environ.get("STANDIN_CRASH"):
    raise SystemExit("configuration error: cannot start")


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health/ready" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


address = (os.environ["STANDIN_HTTP_HOST"], int(os.environ["STANDIN_HTTP_PORT"]))
ThreadingHTTPServer(address, Health).serve_forever()
"""


def stand_in(tmp_path: Path, port: int | None = None, **extra: str) -> ServiceProcess:
    package = tmp_path / "standin"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(textwrap.dedent(STAND_IN))
    spec = ServiceSpec("standin", "standin", 0)
    port = port or free_port()
    nowhere = KafkaCluster(admin=KafkaAccess("127.0.0.1:1", "PLAINTEXT"), password_files={})
    env = service_env(spec, Infrastructure(nowhere, "mongodb://127.0.0.1:1/"), port=port)
    env.update(PYTHONPATH=str(tmp_path), **extra)
    log_path = tmp_path / f"standin-{port}-{len(list(tmp_path.glob('standin-*.log')))}.log"
    return ServiceProcess(spec, env=env, port=port, log_path=log_path, owned=True)


async def test_a_killed_service_restarts_healthy(tmp_path: Path) -> None:
    service = stand_in(tmp_path)
    await service.start(timeout=20)
    first_pid = service.pid
    assert await service.healthy()

    assert service.kill() == -signal.SIGKILL
    assert not service.running()
    assert not await service.healthy()

    await service.restart(timeout=20)
    assert await service.healthy()
    assert service.pid != first_pid

    assert service.terminate() == -signal.SIGTERM


async def test_a_service_that_exits_fails_fast_with_its_log(tmp_path: Path) -> None:
    service = stand_in(tmp_path, STANDIN_CRASH="1")

    with pytest.raises(StartupError, match="configuration error: cannot start"):
        await service.start(timeout=30)
    assert service.returncode == 1


async def test_another_process_answering_on_the_port_does_not_pass_for_the_service(
    tmp_path: Path,
) -> None:
    # The port was free when it was chosen, then another suite's process took it before this
    # service could bind it: that process's readiness must not count as this one's.
    other = stand_in(tmp_path)
    await other.start(timeout=20)
    try:
        assert other.answers_itself()
        late = stand_in(tmp_path, port=other.port)
        late.process.start(owned=True)  # past the spawn's own check, as in the race
        with pytest.raises(StartupError, match="exited before it was ready"):
            await late.wait_healthy(timeout=20)
        assert late.returncode not in (None, 0)
    finally:
        other.terminate()


def test_the_stand_in_runs_with_the_workspace_interpreter(tmp_path: Path) -> None:
    assert stand_in(tmp_path).process.argv == (sys.executable, "-m", "standin")
