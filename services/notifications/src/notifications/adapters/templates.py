"""Email templates in Jinja2, one folder per language; HTML autoescaped."""

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

SUPPORTED_LOCALES = ("it", "en")
DEFAULT_LOCALE = "it"


@dataclass(frozen=True)
class RenderedEmail:
    """An email's subject and its two bodies."""

    subject: str
    text: str
    html: str


class EmailTemplates:
    """Renders ``templates/<locale>/<name>.{subject,txt,html}.j2``."""

    def __init__(self, *, base_url: str) -> None:
        self._env = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            enable_async=False,
        )
        self._base_url = base_url.rstrip("/")

    def render(self, name: str, locale: str, context: dict[str, Any]) -> RenderedEmail:
        """Render an email in ``locale`` (falling back to the default language)."""
        lang = locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
        values = {**context, "base_url": self._base_url}
        subject = self._env.get_template(f"{lang}/{name}.subject.j2").render(values)
        return RenderedEmail(
            subject=" ".join(subject.split()),
            text=self._env.get_template(f"{lang}/{name}.txt.j2").render(values),
            html=self._env.get_template(f"{lang}/{name}.html.j2").render(values),
        )
