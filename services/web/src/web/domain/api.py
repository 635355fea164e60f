"""What the platform's API answered, as the pages read it."""

from dataclasses import dataclass, field
from typing import Any

JsonBody = dict[str, Any] | list[Any] | None


@dataclass(frozen=True)
class ApiResponse:
    """What the gateway answered: status, JSON body (or None) and the consistency token."""

    status: int
    body: Any
    consistency: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: The raw body when it is not JSON (a download such as an export's zip archive).
    content: bytes = b""

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return 200 <= self.status < 300

    @property
    def problem_code(self) -> str | None:
        """The problem's machine-readable code, when the body is a problem."""
        if isinstance(self.body, dict):
            code = self.body.get("code")
            return code if isinstance(code, str) else None
        return None

    @property
    def detail(self) -> str:
        """The problem's human-readable detail (or title)."""
        if isinstance(self.body, dict):
            for key in ("detail", "title"):
                value = self.body.get(key)
                if isinstance(value, str) and value:
                    return value
        return ""
