"""Email templates in Jinja2, translated with gettext catalogs; HTML autoescaped."""

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifications.adapters.messages import Copy
from notifications.adapters.translations import SUPPORTED_LOCALES, language, translations

#: Kinds with an email of their own; every other kind uses the generic ``notice`` layout.
DEDICATED = frozenset({"welcome", "digest"})


@dataclass(frozen=True)
class RenderedEmail:
    """An email's subject and its two bodies."""

    subject: str
    text: str
    html: str


def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("notifications", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True  # msgids without template indentation
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


class EmailTemplates:
    """Renders ``templates/<kind>.{txt,html}.j2`` (or the generic notice) in a language."""

    def __init__(self, *, base_url: str, copy: Copy | None = None) -> None:
        self._envs = {lang: _environment(lang) for lang in SUPPORTED_LOCALES}
        self._copy = copy or Copy()
        self._base_url = base_url.rstrip("/")

    def render(
        self,
        name: str,
        locale: str,
        context: dict[str, Any],
        *,
        unsubscribe_url: str | None = None,
    ) -> RenderedEmail:
        """Render an email in ``locale`` (falling back to the default language)."""
        lang = language(locale)
        env = self._envs[lang]
        title, body, action = self._copy.texts(name, lang, context)
        values = {
            "display_name": "",
            **self._copy.values(lang, context),
            "base_url": self._base_url,
            "lang": lang,
            "title": title,
            "body": body,
            "action": action,
            "url": self._base_url + str(context.get("link") or "/"),
            "unsubscribe_url": unsubscribe_url,
        }
        template = name if name in DEDICATED else "notice"
        if name == "digest":
            title = env.get_template("digest.subject.j2").render(values)
        return RenderedEmail(
            subject=" ".join(title.split()),
            text=env.get_template(f"{template}.txt.j2").render(values),
            html=env.get_template(f"{template}.html.j2").render(values),
        )
