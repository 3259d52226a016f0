"""What the user sees when something fails: one answer for every error.

Every failure (an HTTP error such as 400, 403, 404, 405, 413 or 429, an expired
form, the cloud or the session store down, a wizard changed in another tab, an
unexpected exception) is answered by :func:`error_answer`: a page in the portal's
layout, or for htmx the message swapped into the page's messages area (htmx-config
in ``base.html`` swaps these error answers). Both carry the right status and the
request's reference (:mod:`webapp.request_ids`), which the error's log line names
too. An expired login is the one failure answered otherwise: the user logs in again
and comes back to the wizard.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse
from werkzeug.wsgi import get_input_stream

from webapp import request_ids
from webapp.cloud.errors import CloudUnavailable
from webapp.cloud.errors import Unauthorized
from webapp.htmx import htmx_redirect
from webapp.htmx import is_htmx
from webapp.htmx import retarget
from webapp.i18n import LazyString
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.i18n import ngettext
from webapp.identity import forget
from webapp.identity import login_url
from webapp.request_ids import request_id
from webapp.state import StoreUnavailable
from webapp.workflow import WizardConflict

log = logging.getLogger(__name__)

#: status -> title and message of the answer, unless the error says more (lazy
#: strings, in the language of the request that shows them: ``str()`` them)
MESSAGES: dict[int, tuple[LazyString, LazyString]] = {
    400: (
        _l("Bad request"),
        _l("The portal could not read this request. Reload the page and try again."),
    ),
    403: (_l("Not allowed"), _l("You are not allowed to do this.")),
    404: (_l("Not found"), _l("There is nothing here.")),
    405: (
        _l("Not possible here"),
        _l("This address does not take that kind of request: use the page's buttons and links."),
    ),
    409: (_l("Changed elsewhere"), _l("This was changed elsewhere meanwhile. Reload the page.")),
    413: (
        _l("Too large"),
        # Translators: {limit} is a size such as "1 MB".
        _l("The request is larger than the portal accepts ({limit})."),
    ),
    429: (
        _l("Too many requests"),
        _l("Too many requests in a short time: wait a moment, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "The portal failed to answer. Try again; if it fails again, "
            "tell your administrator its reference."
        ),
    ),
    503: (
        _l("Try again in a moment"),
        _l("The portal cannot answer just now. Try again in a moment."),
    ),
}

#: wizard step (the last part of its URL) -> the 413 message naming the file chosen
#: on it (what it holds), said instead of :data:`MESSAGES`' own
UPLOADS = {
    # Translators: {limit} is a size such as "1 MB".
    "config": _l(
        "The request is larger than the portal accepts ({limit}). "
        "The file chosen for the script is probably too large: pick a smaller file."
    ),
    # Translators: {limit} is a size such as "1 MB".
    "access": _l(
        "The request is larger than the portal accepts ({limit}). "
        "The file chosen for the public key is probably too large: pick a smaller file."
    ),
}

#: the most of a refused body that is read (and thrown away) so that the client,
#: still sending, gets the answer; past it, the server closes the connection
DRAIN_LIMIT = 16 * 1024 * 1024


def init_app(app: Flask) -> None:
    """Register the error handlers, and the request ids their answers show."""
    request_ids.init_app(app)
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(Unauthorized, login_expired)
    app.register_error_handler(CloudUnavailable, cloud_unavailable)
    app.register_error_handler(StoreUnavailable, store_unavailable)
    app.register_error_handler(WizardConflict, wizard_conflict)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)


def error_answer(
    status: int,
    message: str | LazyString,
    *,
    title: str | LazyString | None = None,
    detail: str | None = None,
    error: BaseException | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> BaseResponse:
    """Log an error and answer it: a page in the portal's layout, or for htmx the
    message swapped into ``#messages``; both with ``status`` and the reference.

    :param title: the page's title (default: the status's, from :data:`MESSAGES`).
    :param detail: what the log line says (default: ``message``).
    :param error: an unexpected exception, whose traceback is logged.
    """
    reference = request_id()
    title = str(title or MESSAGES.get(status, (_l("Error"), ""))[0])
    message = str(message)
    _log(status, detail or message, reference, error)
    htmx = is_htmx()
    try:
        if htmx:
            text = _with_reference(message, reference)
            body = render_template("_messages.html", messages=[("error", text)])
        else:
            body = render_template("error.html", title=title, message=message, reference=reference)
    except Exception:
        # The layout itself failed (a template, the session): answer in plain words.
        log.exception("Could not render the answer to error %s (reference %s)", status, reference)
        body = _bare(title, message, reference, page=not htmx)
    response = make_response(body, status)
    response.headers.extend(headers)
    return retarget(response, "#messages") if htmx else response


def csrf_failed(error: CSRFError) -> BaseResponse:
    """A form without a valid CSRF token: refused, with a way forward."""
    message = _(
        "This form has expired or did not come from this site. Reload the page and try again."
    )
    return error_answer(400, message, title=_("Form expired"), detail=f"CSRF: {error.description}")


def login_expired(error: Unauthorized) -> ResponseReturnValue:
    """The cloud no longer accepts the user's token: log in again, then come back."""
    forget()
    flash(_("Your login has expired. Log in again; your launch form is kept."), "info")
    url = login_url()
    return htmx_redirect(url) if is_htmx() else redirect(url, code=303)


def cloud_unavailable(error: CloudUnavailable) -> BaseResponse:
    """The cloud did not answer: say so, keep everything, offer a retry."""
    # Translators: %(error)s is the cloud layer's sentence saying what did not answer.
    message = _("%(error)s Nothing you entered is lost: try again in a moment.", error=error)
    return error_answer(503, message, title=_("The cloud did not answer"), detail=str(error))


def store_unavailable(error: StoreUnavailable) -> BaseResponse:
    """The session store (Redis, or the instance folder's SQLite file) is down."""
    message = _(
        "The portal's session store is not answering; what you typed is kept. "
        "Try again in a moment."
    )
    return error_answer(503, message, detail=str(error))


def wizard_conflict(error: WizardConflict) -> BaseResponse:
    """The same wizard kept being saved from elsewhere (another tab) meanwhile."""
    message = _(
        "This launch form was changed in another tab at the same moment and could not "
        "be saved. Reload the page to see the latest version."
    )
    return error_answer(409, message, detail=str(error))


def too_large(error: RequestEntityTooLarge) -> BaseResponse:
    """A body over ``MAX_CONTENT_LENGTH``: name the limit, and the file at fault
    (or a form field over ``MAX_FORM_MEMORY_SIZE`` in a body within the limit)."""
    _discard_body()
    limit, length = current_app.config["MAX_CONTENT_LENGTH"], request.content_length
    if limit is None or (length is not None and length <= limit):
        message = _("A field of this form is longer than the portal accepts: shorten it.")
    else:
        upload = UPLOADS.get(request.path.rstrip("/").rpartition("/")[2])
        template = upload if request.blueprint == "launch" and upload else MESSAGES[413][1]
        message = str(template).format(limit=_in_words(limit))
    return error_answer(413, message, detail=f"{length} bytes posted")


def http_error(error: HTTPException) -> BaseResponse:
    """Any other HTTP error, in the words of :data:`MESSAGES` unless it was raised
    with its own description (a rate limit says what to wait for)."""
    status = error.code or 500
    # Werkzeug's own words for a status the portal has none for (not translated).
    title, message = MESSAGES.get(status, (error.name, error.description or ""))
    if error.description and error.description != type(error).description:
        message = error.description
    # Allow (405), Retry-After (429, 503): what the error itself would have sent.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    trace = (getattr(error, "original_exception", None) or error) if status == 500 else None
    return error_answer(status, message, title=title, error=trace, headers=headers)


def unexpected(error: Exception) -> BaseResponse:
    """Any other exception: a 500, its traceback in the log, never on the page."""
    return error_answer(500, MESSAGES[500][1], detail=repr(error), error=error)


def _log(status: int, detail: str, reference: str, error: BaseException | None) -> None:
    """One line per error, naming the reference the user sees: INFO for a 404,
    ERROR with the traceback for a 500, else WARNING."""
    level = logging.INFO if status == 404 else logging.WARNING
    if error is not None or status == 500:
        level = logging.ERROR
    log.log(
        level,
        "%s %r answered %d (reference %s): %s",
        request.method,
        request.path,
        status,
        reference,
        detail,
        exc_info=error,
        extra={"request_id": reference},
    )


def _discard_body() -> None:
    """Read what is left of a refused body, up to :data:`DRAIN_LIMIT`, so that the
    client reads the answer instead of a connection reset while it is still sending.

    Werkzeug refuses a body before reading it when its length is too large; one
    refused while being read (a chunked body, a form field too large) is read on
    from where it stopped.
    """
    length = request.content_length
    if length is not None and length > DRAIN_LIMIT:
        return
    # The stream already read from (a Content-Length body), else a fresh one.
    stream = request.__dict__.get("stream") if length is not None else None
    try:
        if stream is None:
            stream = get_input_stream(request.environ, max_content_length=None)
        left = DRAIN_LIMIT
        while left > 0 and (chunk := stream.read(min(left, 65536))):
            left -= len(chunk)
    except (OSError, ValueError, HTTPException) as error:
        log.info("Could not read the rest of a refused body: %s", error)


def _in_words(size: int) -> str:
    """A size in bytes as people say it: 1 MB, 64 KB, 1.5 MB."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return ngettext("%(num)d byte", "%(num)d bytes", size)


def _with_reference(message: str, reference: str) -> str:
    """The message followed by the request's reference; in English when even the
    translations fail (the answer to an error must not fail in turn)."""
    try:
        # Translators: %(message)s is an error message, %(reference)s a request id.
        return _("%(message)s (Reference: %(reference)s)", message=message, reference=reference)
    except Exception:
        return f"{message} (Reference: {reference})"


def _bare(title: str, message: str, reference: str, *, page: bool) -> str:
    """The answer without the layout, for when the layout cannot be rendered."""
    said = escape(_with_reference(message, reference))
    text = f'<p class="message error" role="alert">{said}</p>'
    if not page:
        return text
    return f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>{text}"
