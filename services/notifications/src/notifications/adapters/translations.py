"""Gettext catalogs (Babel) loaded from the ``.po`` files shipped with the package."""

import io
from functools import cache
from importlib.resources import files

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SUPPORTED_LOCALES = ("it", "en")
DEFAULT_LOCALE = "it"
#: The messages are written in English, so English needs no catalog.
SOURCE_LOCALE = "en"


def language(locale: str | None) -> str:
    """A supported language for a person's locale (``it-IT`` → ``it``), else the default."""
    lang = (locale or "").split("-")[0].split("_")[0].lower()
    return lang if lang in SUPPORTED_LOCALES else DEFAULT_LOCALE


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of a language, read once from its ``.po`` file."""
    lang = language(locale)
    if lang == SOURCE_LOCALE:
        return NullTranslations()
    po = files("notifications").joinpath("locale", lang, "LC_MESSAGES", "messages.po")
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)
