"""The languages the client speaks, and which one a person gets."""

from babel import Locale, UnknownLocaleError

SUPPORTED = ("en", "it")
DEFAULT = "en"


def negotiate(preferred: str | None, accept_language: str | None) -> str:
    """The profile's locale if supported, else the best match of ``Accept-Language``."""
    if preferred and preferred.split("-")[0].split("_")[0] in SUPPORTED:
        return preferred.split("-")[0].split("_")[0]
    wanted: list[tuple[float, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            wanted.append((quality - position * 1e-6, tag))
    for _, tag in sorted(wanted, reverse=True):
        try:
            language = Locale.parse(tag, sep="-").language
        except (ValueError, UnknownLocaleError):
            continue
        if language in SUPPORTED:
            return language
    return DEFAULT
