"""The user's language: Flask-Babel, which locale a request gets, the marking of
translatable text for every layer, and the formatting of dates and numbers.

Mark text with this module's ``gettext`` (as ``_``), ``lazy_gettext`` (as ``_l``,
for anything made at import: labels, class attributes, constants) and
``ngettext``; ``make i18n`` extracts them. They are Flask-Babel's in a request of
the portal, and give the English text where Flask-Babel is not bound (tests and
tools without the app). Their lazy strings are escaped in HTML like a ``str``
(Flask-Babel's own are taken as markup).

A request's locale is the one the user chose with the header's switcher (kept in
a cookie), else the best match of the browser's ``Accept-Language``, else English.
Translations live in ``webapp/translations/<locale>/LC_MESSAGES/messages.po``,
``<locale>`` being Babel's name for the language, the one Flask-Babel looks for:
``zh_Hans_CN`` for ``zh_CN`` (see :func:`catalog_name`). ``make i18n`` extracts
and updates them, and every install compiles them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import flask_babel
from babel import Locale
from babel.numbers import format_decimal as babel_format_decimal
from flask import Flask
from flask import current_app
from flask import has_app_context
from flask import request
from flask_babel import Babel
from flask_babel import get_locale
from flask_babel.speaklater import LazyString as _BabelLazyString
from markupsafe import escape

__all__ = [
    "LANGUAGE_COOKIE",
    "TRANSLATIONS",
    "LazyString",
    "babel",
    "catalog_name",
    "current_language",
    "day",
    "format_decimal",
    "gettext",
    "init_app",
    "language_names",
    "lazy_gettext",
    "locale_tag",
    "moment",
    "ngettext",
    "operator_text",
    "parse_time",
]

log = logging.getLogger(__name__)

#: where the catalogs are: ``<locale>/LC_MESSAGES/messages.po`` (and ``.mo``)
TRANSLATIONS = Path(__file__).with_name("translations")
#: the language the code's own text is written in: it needs no catalog
SOURCE_LANGUAGE = "en"
#: the cookie that remembers the user's choice (a locale name, e.g. ``zh_CN``)
LANGUAGE_COOKIE = "skiff_language"

babel = Babel()

# Each language in its own words: the switcher must be readable by whoever needs it.
_NAMES = {"en": "English", "zh_CN": "简体中文"}
# Browser tags that mean an offered locale without naming it ("zh-Hans": the
# script rather than the country). Traditional Chinese (zh-TW, zh-Hant) is not it.
_ALIASES = {"zh-Hans": "zh_CN", "zh-Hans-CN": "zh_CN", "zh-SG": "zh_CN"}


def init_app(app: Flask) -> None:
    """Bind Flask-Babel to ``app``; its catalogs are the package's ``translations``.

    A language offered without a catalog (English, the source language, needs
    none) stops the app here; one whose catalog is not compiled is logged (its
    pages would be English under another name).
    """
    for language in app.config["LANGUAGES"]:
        if language == SOURCE_LANGUAGE:
            continue
        folder = TRANSLATIONS / catalog_name(language) / "LC_MESSAGES"
        if not (folder / "messages.po").exists():
            raise ValueError(f"LANGUAGES offers {language!r}, which has no catalog in {folder}")
        if not (folder / "messages.mo").exists():
            log.warning("%s is not compiled: run `make i18n`; its pages are in English", folder)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS)
    )
    app.jinja_env.globals.update(
        locale_tag=locale_tag, language_names=language_names, current_language=current_language
    )
    app.add_template_filter(moment)
    app.add_template_filter(day)
    app.add_template_filter(format_decimal, "number")


def select_locale() -> str:
    """The cookie's language, else the browser's best match, else the default."""
    offered = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen and chosen in offered:
        return chosen
    # Werkzeug matches "zh-CN" to "zh_CN", and "zh" to it on the primary subtag.
    tags = [name.replace("_", "-") for name in offered]
    tags += [alias for alias, name in _ALIASES.items() if name in offered]
    best = request.accept_languages.best_match(tags)
    if not best:
        return offered[0]
    return _ALIASES.get(best, best.replace("-", "_"))


def current_language() -> str:
    """The offered locale name of this request (``zh_CN``; Babel's own name for
    it adds the script: ``zh_Hans_CN``)."""
    chosen = get_locale()
    offered = current_app.config["LANGUAGES"]
    return next((name for name in offered if Locale.parse(name) == chosen), offered[0])


def catalog_name(language: str) -> str:
    """The folder of ``language``'s catalog: Babel adds the likely script
    (``zh_CN`` is ``zh_Hans_CN``) and Flask-Babel loads the folder of that name."""
    return str(Locale.parse(language))


def locale_tag() -> str:
    """The request's language as a BCP 47 tag, for ``<html lang>``: ``zh-CN``."""
    return current_language().replace("_", "-")


def language_names() -> list[tuple[str, str]]:
    """(locale, name in that language) of every offered language."""
    return [(name, _NAMES.get(name, name)) for name in current_app.config["LANGUAGES"]]


def parse_time(value: str | datetime | None) -> datetime | None:
    """A time as the cloud gives it (ISO 8601, ``Z`` or an offset), else None."""
    if isinstance(value, datetime) or value is None:
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def moment(value: str | datetime | None) -> str:
    """A date and time in the user's language (``{{ server.created|moment }}``);
    what cannot be read is shown as it came."""
    parsed = parse_time(value)
    if parsed is None:
        return str(value or "")
    return str(flask_babel.format_datetime(parsed, "medium")) if _bound() else parsed.isoformat()


def day(value: str | datetime | None) -> str:
    """A date in the user's language (``{{ image.updated_at|day }}``)."""
    parsed = parse_time(value)
    if parsed is None:
        return str(value or "")
    return str(flask_babel.format_date(parsed, "medium")) if _bound() else parsed.date().isoformat()


# -- marking and translating text ---------------------------------------------------


def _bound() -> bool:
    """Whether Flask-Babel serves the current app."""
    return has_app_context() and "babel" in current_app.extensions


def gettext(string: str, **variables: Any) -> str:
    """``string`` in the request's language, ``%``-formatted with ``variables``."""
    if _bound():
        return str(flask_babel.gettext(string, **variables))
    return string % variables if variables else string


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The singular or plural form for ``num`` (``%(num)d`` in them), translated."""
    if _bound():
        return str(flask_babel.ngettext(singular, plural, num, **variables))
    variables.setdefault("num", num)
    return (singular if num == 1 else plural) % variables


class LazyString(_BabelLazyString):
    """A translation made when it is shown, in the language of that request;
    escaped in HTML like a ``str``, so "Access & Security" is safe anywhere."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables: Any) -> Any:
    """:func:`gettext` when the string is used: for class attributes, field
    labels, validator messages and module constants."""
    return LazyString(gettext, string, **variables)


def operator_text(value: object) -> str:
    """``value`` as text in the operator's language (the first of ``LANGUAGES``),
    whatever the user's, for the logs: one language per deployment, so lines can
    be searched. A lazy string, or an error whose message is one, is rendered so;
    text already translated stays as it is."""
    if not _bound():
        return str(value)
    with flask_babel.force_locale(current_app.config["LANGUAGES"][0]):
        return str(value)


def format_decimal(number: float) -> str:
    """A number with the thousands separators of the request's language."""
    if _bound():
        return str(flask_babel.format_decimal(number))
    return str(babel_format_decimal(number, locale="en"))
