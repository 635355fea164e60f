"""Accounts: sign up, verify the address, sign in and out, passwords, profile, my data (export
and erasure)."""

from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import available_timezones

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from web.entrypoints.forms import lines, refusal, safe_next, see_other, text
from web.entrypoints.pages import Form, gettext, login_required, render, status_for, visit_of

router = APIRouter(include_in_schema=False)
ZONES = sorted(available_timezones() - {"localtime", "Factory"})


@router.get("/signup")
async def signup_page(request: Request) -> Response:
    """The sign-up form."""
    return render(request, "account/signup.html", zones=ZONES, values={})


@router.post("/signup")
async def signup(request: Request, form: Form) -> Response:
    """Register; the verification email follows."""
    visit = visit_of(request)
    values = {
        "display_name": text(form, "display_name"),
        "email": text(form, "email"),
        "locale": text(form, "locale") or request.state.language,
        "timezone": text(form, "timezone") or "UTC",
    }
    response = await visit.api(
        "POST", "/api/v1/users", json={**values, "password": form.get("password") or ""}
    )
    if not response.ok:
        return render(
            request,
            "account/signup.html",
            status=status_for(response.status),
            zones=ZONES,
            values=values,
            error=refusal(response),
        )
    return render(request, "account/check_email.html", email=values["email"])


@router.get("/verify-email")
async def verify_email(request: Request, token: str = "") -> Response:
    """The emailed link: confirms the address."""
    visit = visit_of(request)
    if not token:
        return render(request, "account/verified.html", status=400, ok=False)
    response = await visit.api("POST", "/api/v1/auth/verify-email", json={"token": token})
    return render(
        request,
        "account/verified.html",
        status=200 if response.ok else 400,
        ok=response.ok,
        error=None if response.ok else refusal(response),
    )


@router.post("/verify-email/resend")
async def resend_verification(request: Request, form: Form) -> Response:
    """Send the verification email again."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = visit_of(request)
    response = await visit.api("POST", "/api/v1/auth/verify-email/resend")
    visit.flash(gettext(request, "We sent the link again.") if response.ok else refusal(response))
    return see_other(safe_next(text(form, "next"), "/account"))


@router.get("/login")
async def login_page(
    request: Request, next_: Annotated[str, Query(alias="next")] = "/"
) -> Response:
    """The sign-in form."""
    if visit_of(request).signed_in:
        return see_other(safe_next(next_))
    return render(request, "account/login.html", next=safe_next(next_), values={})


@router.post("/login")
async def login(request: Request, form: Form) -> Response:
    """Sign in; a new session cookie replaces the visitor's."""
    visit = visit_of(request)
    email = text(form, "email")
    response = await visit.sign_in(email, str(form.get("password") or ""))
    destination = safe_next(text(form, "next"))
    if not response.ok:
        return render(
            request,
            "account/login.html",
            status=status_for(response.status),
            next=destination,
            values={"email": email},
            error=refusal(response),
        )
    return see_other(destination)


@router.post("/logout")
async def logout(request: Request, _: Form) -> Response:
    """Sign out here and on the platform."""
    await visit_of(request).sign_out()
    return see_other("/")


@router.get("/forgot-password")
async def forgot_page(request: Request) -> Response:
    """Ask for a reset link."""
    return render(request, "account/forgot.html", sent=False, values={})


@router.post("/forgot-password")
async def forgot(request: Request, form: Form) -> Response:
    """The platform emails a link if the address has an account (the page says the same
    either way)."""
    email = text(form, "email")
    response = await visit_of(request).api(
        "POST", "/api/v1/auth/password-reset", json={"email": email}
    )
    if not response.ok and response.status != 404:
        return render(
            request,
            "account/forgot.html",
            status=status_for(response.status),
            sent=False,
            values={"email": email},
            error=refusal(response),
        )
    return render(request, "account/forgot.html", sent=True, values={"email": email})


@router.get("/reset-password")
async def reset_page(request: Request, token: str = "") -> Response:
    """The emailed link: choose a new password."""
    return render(request, "account/reset.html", token=token)


@router.post("/reset-password")
async def reset(request: Request, form: Form) -> Response:
    """Set the new password; every session of the account ends."""
    response = await visit_of(request).api(
        "POST",
        "/api/v1/auth/password-reset/confirm",
        json={"token": text(form, "token"), "new_password": form.get("new_password") or ""},
    )
    if not response.ok:
        return render(
            request,
            "account/reset.html",
            status=status_for(response.status),
            token=text(form, "token"),
            error=refusal(response),
        )
    visit_of(request).flash(gettext(request, "Your password was changed. Please sign in."))
    return see_other("/login")


@router.get("/account")
async def account_page(request: Request) -> Response:
    """The account: address, verification, password, sessions."""
    if (redirect := login_required(request)) is not None:
        return redirect
    account = await visit_of(request).api("GET", "/api/v1/users/me")
    return render(request, "account/account.html", account=account.body if account.ok else {})


@router.post("/account/password")
async def change_password(request: Request, form: Form) -> Response:
    """Change the password (the current one is asked again)."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = visit_of(request)
    response = await visit.api(
        "POST",
        "/api/v1/auth/change-password",
        json={
            "current_password": form.get("current_password") or "",
            "new_password": form.get("new_password") or "",
        },
    )
    if not response.ok:
        visit.flash(refusal(response))
        return see_other("/account")
    # Changing the password ends every session of the account, this one included.
    await visit.sign_out()
    visit.flash(gettext(request, "Your password was changed. Please sign in again."))
    return see_other("/login")


@router.post("/account/logout-all")
async def logout_everywhere(request: Request, _: Form) -> Response:
    """End every session of the account, on every device."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = visit_of(request)
    await visit.api("POST", "/api/v1/auth/logout-all")
    await visit.sign_out()
    return see_other("/")


@router.get("/profile")
async def profile_page(request: Request) -> Response:
    """Edit my profile."""
    if (redirect := login_required(request)) is not None:
        return redirect
    profile = await visit_of(request).api("GET", "/api/v1/profiles/me")
    return render(
        request, "account/profile.html", profile=profile.body if profile.ok else {}, zones=ZONES
    )


PROFILE_TEXT = ("display_name", "handle", "headline", "bio", "city", "locale", "timezone")
PROFILE_LISTS = ("skills", "interests", "asks", "offers")


@router.post("/profile")
async def edit_profile(request: Request, form: Form) -> Response:
    """Save my profile."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = visit_of(request)
    changes: dict[str, Any] = {name: text(form, name) or None for name in PROFILE_TEXT}
    changes["display_name"] = text(form, "display_name")
    changes.update({name: lines(form, name) for name in PROFILE_LISTS})
    changes["links"] = [
        {"label": label, "url": url}
        for label, url in zip(form.getlist("link_label"), form.getlist("link_url"), strict=False)
        if isinstance(label, str) and isinstance(url, str) and label.strip() and url.strip()
    ]
    changes["visibility"] = text(form, "visibility") or "communities"
    response = await visit.api("PATCH", "/api/v1/profiles/me", json=changes)
    if not response.ok:
        return render(
            request,
            "account/profile.html",
            status=status_for(response.status),
            profile={**changes},
            zones=ZONES,
            error=refusal(response),
        )
    visit.change(
        display_name=changes["display_name"],
        locale=changes["locale"] or visit.session.locale,
        zone=changes["timezone"] or visit.session.zone,
    )
    visit.flash(gettext(request, "Profile saved."))
    return see_other("/profile")


@router.get("/account/exports/{export_id}")
async def export_archive(request: Request, export_id: str) -> Response:
    """The emailed link to a personal-data export: the zip archive, for its owner signed in,
    until it expires."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = visit_of(request)
    response = await visit.api("GET", f"/api/v1/me/exports/{quote(export_id, safe='')}/archive")
    if response.ok and response.content:
        return Response(
            response.content,
            media_type="application/zip",
            headers={
                "Content-Disposition": response.headers.get(
                    "content-disposition", 'attachment; filename="cerchia-export.zip"'
                ),
                "Cache-Control": "no-store",
            },
        )
    status = response.status if response.status in (404, 409, 410) else 503
    return render(
        request, "error.html", status=404 if status == 410 else status, detail=response.detail
    )


@router.get("/account/data")
async def data_page(request: Request) -> Response:
    """My data: an archive of everything kept about me, and erasing my account with what it
    does stated first."""
    if (redirect := login_required(request)) is not None:
        return redirect
    return await _data_page(request)


async def _data_page(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    preview = await visit_of(request).api("GET", "/api/v1/users/me/erasure")
    owned = (
        preview.body.get("communities") if preview.ok and isinstance(preview.body, dict) else None
    )
    return render(
        request,
        "account/data.html",
        status=status,
        owned=owned if isinstance(owned, list) else None,
        error=error,
    )


@router.post("/account/data/exports")
async def start_export(request: Request, _: Form) -> Response:
    """Ask every service for my data; the progress page follows it (asking while one is being
    gathered shows that one)."""
    if (redirect := login_required(request)) is not None:
        return redirect
    visit = visit_of(request)
    started = await visit.api("POST", "/api/v1/me/exports")
    if not started.ok or not isinstance(started.body, dict) or not started.body.get("id"):
        visit.flash(refusal(started))
        return see_other("/account/data")
    return see_other(f"/account/data/exports/{quote(str(started.body['id']), safe='')}")


@router.get("/account/data/exports/{export_id}")
async def export_progress(request: Request, export_id: str) -> Response:
    """Where an export stands: the services that answered, then the archive's link. While it is
    gathered, htmx asks for the page again every few seconds (without JavaScript, a link)."""
    if (redirect := login_required(request)) is not None:
        return redirect
    found = await visit_of(request).api("GET", f"/api/v1/me/exports/{quote(export_id, safe='')}")
    if found.status == 404 or (found.ok and not isinstance(found.body, dict)):
        raise HTTPException(404)
    if not found.ok:
        raise HTTPException(status_for(found.status), refusal(found))
    return render(request, "account/export.html", export=found.body)


@router.post("/account/erase")
async def erase_account(request: Request, form: Form) -> Response:
    """Erase my account, confirmed by my password after reading what it does."""
    if (redirect := login_required(request)) is not None:
        return redirect
    if text(form, "understood") != "yes":
        message = gettext(request, "Tick the box to confirm that you have read what erasing does.")
        return await _data_page(request, error=message, status=422)
    visit = visit_of(request)
    erased = await visit.api(
        "DELETE", "/api/v1/users/me", json={"password": form.get("password") or ""}
    )
    if not erased.ok:
        return await _data_page(request, error=refusal(erased), status=status_for(erased.status))
    await visit.sign_out()
    visit.flash(gettext(request, "Your account was erased. Thank you for being part of Cerchia."))
    return see_other("/")
