"""The script every image carries: the healthcheck."""

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def healthcheck(deploy_script: Callable[[str], ModuleType]) -> ModuleType:
    return deploy_script("docker/healthcheck.py")


@pytest.mark.unit
def test_the_healthcheck_finds_the_service_port_like_the_settings_do(
    healthcheck: ModuleType,
) -> None:
    env = {"CERCHIA_SERVICE": "membership", "membership_http_port": "8001"}
    assert healthcheck.probe_url(env, "/health/ready") == "http://127.0.0.1:8001/health/ready"
    assert healthcheck.probe_url({"CERCHIA_SERVICE": "x"}, "/h") == "http://127.0.0.1:8000/h"


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health/live" else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        pass


@pytest.fixture
def health_server() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.integration
def test_the_healthcheck_exit_code_follows_the_endpoint(
    healthcheck: ModuleType, health_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERCHIA_SERVICE", "events")
    monkeypatch.setenv("EVENTS_HTTP_PORT", str(health_server))
    assert healthcheck.main(["healthcheck.py", "/health/live"]) == 0
    assert healthcheck.main(["healthcheck.py", "/health/ready"]) == 1
    monkeypatch.setenv("EVENTS_HTTP_PORT", "1")  # nothing listens there
    assert healthcheck.main(["healthcheck.py", "/health/live"]) == 1
