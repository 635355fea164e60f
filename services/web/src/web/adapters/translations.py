"""Babel catalogs (``locales/<lang>/LC_MESSAGES/*.po``), compiled in memory at start."""

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from web.domain.locales import DEFAULT, SUPPORTED


def load_translations(root: Path) -> dict[str, NullTranslations]:
    """Each supported language's messages; every ``.po`` file of a language is merged, so each
    area of the client keeps its own catalog. The default language is the source text."""
    loaded: dict[str, NullTranslations] = {DEFAULT: NullTranslations()}
    for language in SUPPORTED:
        if language == DEFAULT:
            continue
        merged = Translations()
        for po in sorted((root / language / "LC_MESSAGES").glob("*.po")):
            with po.open("rb") as source:
                catalog = read_po(source, locale=language)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            merged.merge(Translations(buffer))
        loaded[language] = merged
    return loaded
