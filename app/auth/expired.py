"""The sign-in form again after its CSRF token expired (SECURITY.md 18): the identifiant kept, never
the password, with a fresh token; nothing is checked or counted."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from app.auth.forms import LoginForm
from app.auth.routes import two_factor_optional
from app.web.expired import MESSAGE as EXPIRED, rerenders_expired


@rerenders_expired("auth.login")
def login_expired():
    """The sign-in form whose token expired: the identifiant kept, never the password; 400."""
    if current_user.is_authenticated:
        return None
    form = LoginForm(formdata=request.form)
    form.mot_de_passe.data = ""
    return render_template("auth/login.html", form=form, error=EXPIRED, optional=two_factor_optional(),
                           logged_out=False), 400
