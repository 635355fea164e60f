"""Text fields of request schemas: no NUL and no other control characters.

A NUL breaks whatever treats text as C strings (terminals, mail and PDF renderers, some
drivers), and the other C0 controls (escape sequences, backspace, bell) let a post rewrite what a
terminal or a log shows. Every service's request schemas use these types for every text field:
``Line`` (titles, names, tags, ids, slugs) refuses every C0 control character and DEL; ``Text``
(Markdown bodies, messages, reasons) keeps tab, line feed and carriage return (browsers send
CRLF). ``NewSecret`` is a password being chosen: one line too (an existing password, at login or
to confirm, stays a plain ``SecretStr`` so that no account is locked out). A refusal is a 422
``validation-error`` whose error has type ``control_character`` and names the field, the
character and its position.
"""

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, SecretStr
from pydantic_core import PydanticCustomError

#: Every C0 control character and DEL.
LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
#: The same, except tab, line feed and carriage return.
TEXT_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refusing(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        found = pattern.search(value)
        if found is not None:
            raise PydanticCustomError(
                "control_character",
                "Control character U+{code} at position {position} is not allowed here.",
                {"code": f"{ord(found.group()):04X}", "position": found.start()},
            )
        return value

    return check


#: The check of a ``Line``, for a type that must transform first: ``Annotated[str,
#: StringConstraints(strip_whitespace=True, min_length=1), ONE_LINE]`` (in ``Annotated[Line,
#: StringConstraints(...)]`` the lengths would be checked before the strip).
ONE_LINE = AfterValidator(_refusing(LINE_FORBIDDEN))
#: One line of text: no control characters at all.
Line = Annotated[str, ONE_LINE]
#: Free text over several lines: tab, line feed and carriage return only.
Text = Annotated[str, AfterValidator(_refusing(TEXT_FORBIDDEN))]


def _secret_line(value: SecretStr) -> SecretStr:
    _refusing(LINE_FORBIDDEN)(value.get_secret_value())
    return value


#: A secret being chosen (a new password): no control characters, like a ``Line``.
NewSecret = Annotated[SecretStr, AfterValidator(_secret_line)]
