"""Reading posted forms and answering them: redirects after success (no resubmission on reload),
the same form with the platform's explanation after a refusal."""

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from web.domain.api import ApiResponse


def text(form: FormData, name: str) -> str:
    """A text field, stripped ("" when absent)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def lines(form: FormData, name: str) -> list[str]:
    """A textarea of one item per line (or comma-separated), empty items dropped."""
    raw = text(form, name).replace(",", "\n")
    return [item.strip() for item in raw.splitlines() if item.strip()]


def see_other(path: str) -> RedirectResponse:
    """303 to ``path``: the browser GETs it (post/redirect/get)."""
    return RedirectResponse(path, status_code=303)


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go back to; never another site (no open redirect)."""
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    return value


def refusal(response: ApiResponse) -> str:
    """What to tell the person about a refused request."""
    if response.status == 503:
        return "The platform is busy or catching up; please try again in a moment."
    if response.status == 429:
        return "Too many attempts; please wait a minute and try again."
    detail = response.detail
    errors = response.body.get("errors") if isinstance(response.body, dict) else None
    if isinstance(errors, list) and errors:
        fields = [_field_message(error) for error in errors if isinstance(error, dict)]
        detail = "; ".join(f for f in fields if f) or detail
    return detail or "Something went wrong; please try again."


def _field_message(error: dict[str, Any]) -> str:
    location = error.get("loc") or error.get("field") or []
    name = location[-1] if isinstance(location, list) and location else location
    message = error.get("msg") or error.get("message") or ""
    return f"{name}: {message}" if name else str(message)


def wants_fragment(request: Request) -> bool:
    """An htmx request (it swaps part of the page)."""
    return "hx-request" in request.headers


def redirect_or_refresh(request: Request, path: str) -> Response:
    """After a successful htmx post, ask htmx to follow; without JS, a 303."""
    if wants_fragment(request):
        return Response(status_code=204, headers={"HX-Location": path})
    return see_other(path)
