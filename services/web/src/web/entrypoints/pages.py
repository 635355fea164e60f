"""What every page route uses: the visit, rendering, translation, and "sign in first"."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from web.domain.locales import DEFAULT
from web.entrypoints.security import checked_form
from web.service.visits import Visit

#: A posted form whose CSRF token is the session's.
Form = Annotated[FormData, Depends(checked_form)]


def sign_in_address(request: Request) -> str:
    """The login page, coming back to this very address after (query included: emailed links)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(here, safe='')}"


class SignInFirst(HTTPException):
    """The page needs a signed-in person: to the login page, and back here after."""

    def __init__(self, request: Request) -> None:
        super().__init__(303, headers={"Location": sign_in_address(request)})


def visit_of(request: Request) -> Visit:
    """The browser's session for this request."""
    visit: Visit = request.state.visit
    return visit


def signed_in(request: Request) -> Visit:
    """The visit of a signed-in person (else a redirect to sign in and come back)."""
    visit = visit_of(request)
    if not visit.signed_in:
        raise SignInFirst(request)
    return visit


def login_required(request: Request) -> Response | None:
    """None for a signed-in person, else the redirect to sign in and come back."""
    if visit_of(request).signed_in:
        return None
    return Response(status_code=303, headers={"Location": sign_in_address(request)})


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A full page."""
    response: Response = request.app.state.container.pages.render(
        request, template, context, status=status
    )
    return response


def gettext(request: Request, message: str, **variables: Any) -> str:
    """A message in the request's language (flash messages): the language is chosen here, as a
    handler may translate before any page is rendered (a form's redirect renders none)."""
    pages = request.app.state.container.pages
    pages.use_language(getattr(request.state, "language", DEFAULT))
    text: str = pages.gettext(message, **variables)
    return text


def status_for(api_status: int) -> int:
    """The page's status for a refused API call: the same 4xx, else 503."""
    return api_status if 400 <= api_status < 500 else 503
