"""HTML pages from Jinja2 templates, in the reader's language and time zone."""

import time
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from cerchia_chassis.metrics import DURATION_BUCKETS_S, meter
from web.adapters.assets import Assets
from web.domain.times import local_time
from web.service.visits import Visit

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_render_duration = meter(__name__).create_histogram(
    "cerchia.web.render.duration",
    unit="s",
    description="Time to render a template into HTML, per template and kind (page or fragment); "
    "the request's whole time is cerchia_http_server_duration_seconds.",
    explicit_bucket_boundaries_advisory=DURATION_BUCKETS_S,
)

_translations: ContextVar[NullTranslations] = ContextVar("translations")


def _gettext(message: str, **variables: Any) -> str:
    text = _translations.get(NullTranslations()).gettext(message)
    return text % variables if variables else text


def _ngettext(singular: str, plural: str, n: int) -> str:
    # Jinja's new-style wrapper fills in %(num)s and the other variables itself.
    text: str = _translations.get(NullTranslations()).ngettext(singular, plural, n)
    return text


class Pages:
    """Renders templates with what every page needs."""

    def __init__(self, assets: Assets, translations: Mapping[str, NullTranslations]) -> None:
        self._translations = translations
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(("html", "xml")),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            _gettext, _ngettext, newstyle=True
        )
        self.env.globals["asset"] = assets.url

    def use_language(self, language: str) -> None:
        """Translate what this request renders into ``language``."""
        _translations.set(self._translations.get(language, NullTranslations()))

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
    ) -> HTMLResponse:
        """The page, with the visit's session, flash messages and unread count."""
        visit: Visit = request.state.visit
        language: str = request.state.language
        self.use_language(language)

        def when(value: Any) -> str:
            return local_time(value, zone=visit.session.zone, locale=language)

        values = {
            "request": request,
            "visit": visit,
            "session": visit.session,
            "csrf": visit.session.masked_csrf(),
            "lang": language,
            "when": when,
            "flashes": visit.take_flash(),
            "unread": getattr(request.state, "unread", None),
            "path": request.url.path,
            **(context or {}),
        }
        started = time.perf_counter()
        html = self.env.get_template(template).render(values)
        _render_duration.record(
            time.perf_counter() - started, {"template": template, "kind": "page"}
        )
        return HTMLResponse(html, status_code=status)

    def fragment(self, request: Request, template: str, context: Mapping[str, Any]) -> str:
        """Part of a page (an htmx or SSE swap), in the request's language."""
        visit: Visit = request.state.visit
        language: str = request.state.language
        self.use_language(language)

        def when(value: Any) -> str:
            return local_time(value, zone=visit.session.zone, locale=language)

        values = {
            "session": visit.session,
            "csrf": visit.session.masked_csrf(),
            "when": when,
            **context,
        }
        started = time.perf_counter()
        html = self.env.get_template(template).render(values)
        _render_duration.record(
            time.perf_counter() - started, {"template": template, "kind": "fragment"}
        )
        return html

    def gettext(self, message: str, **variables: Any) -> str:
        """Translate in the current request's language (for flash messages)."""
        return _gettext(message, **variables)

    @staticmethod
    def safe(html: str) -> Markup:
        """HTML the platform already sanitised (rendered Markdown)."""
        return Markup(html)  # noqa: S704 - produced by the platform's sanitiser
