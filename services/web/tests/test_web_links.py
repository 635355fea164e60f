"""Every link Cerchia's messages carry (emails, push, the in-app feed) opens a page of the web
client: each rule's link path is matched against the client's routes (no servers)."""

import re
from urllib.parse import urlsplit

import pytest
from starlette.routing import Match

from notifications.domain.rules import RULES
from web.app import create_app
from web.settings import WebSettings

pytestmark = pytest.mark.unit


def _example(template: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "0195f0c4-7d1a-7b3e-9a51-2f4c1e8d9a10", template)


def test_every_link_in_messages_opens_a_page_of_the_web_client() -> None:
    app = create_app(WebSettings(log_json=False))
    links = {rule.link for rule in RULES.values()} | {"/notifications"}
    assert len(links) > 10
    missing = []
    for link in sorted(links):
        path = urlsplit(_example(link)).path
        scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
        if not any(route.matches(scope)[0] is Match.FULL for route in app.routes):
            missing.append(link)
    assert missing == []
