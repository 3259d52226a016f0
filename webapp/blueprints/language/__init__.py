"""The language switcher: remembers the user's choice in a cookie."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import redirect
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import SelectField

from webapp.i18n import LANGUAGE_COOKIE
from webapp.identity import safe_next

bp = Blueprint("language", __name__)

#: a year: a language is not chosen again each visit
_COOKIE_AGE = 365 * 24 * 3600


class LanguageForm(FlaskForm):
    """The header's switcher: a language and the page to go back to."""

    language = SelectField(validate_choice=False)
    next = HiddenField()


@bp.post("/language")
def switch():
    """Remember the chosen language and go back to the page the user was on."""
    form = LanguageForm()
    response = redirect(safe_next(form.next.data), code=303)
    if form.validate_on_submit() and form.language.data in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            form.language.data,
            max_age=_COOKIE_AGE,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response
