"""Reading the Configuration step's page and what the demo cloud kept of a launch:
a textarea's text as a browser would post it back, a field's errors, the user
data stored for the server just launched."""

from __future__ import annotations

import html
import re
import sqlite3


def textarea(page: str, name: str) -> str | None:
    """The text of textarea ``name`` as shown (None when the page has none)."""
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    if not found:
        return None
    # HTML drops one newline right after <textarea>; the templates put one there.
    return html.unescape(found.group(1)).removeprefix("\r\n").removeprefix("\n")


def as_posted(text: str) -> str:
    """A textarea's text as a browser posts it: every line end CRLF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def hidden(page: str, name: str) -> str | None:
    """The value of hidden input ``name``."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*type="hidden"[^>]*value="([^"]*)"', page)
    if not found:
        found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*type="hidden"', page)
    return html.unescape(found.group(1)) if found else None


def field_errors(page: str, field: str) -> str:
    """The errors shown beside ``field`` ("" for none)."""
    found = re.search(rf'id="{field}-errors">(.*?)</ul>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""


def stored_user_data(app, response) -> bytes | None:
    """The user data the demo cloud stored for the server just launched."""
    assert response.status_code == 303, re.findall(r"<li>([^<]+)</li>", response.text)
    server_id = response.headers["Location"].rsplit("/", 1)[1]
    with sqlite3.connect(app.config["DEMO_DATABASE"]) as db:
        (value,) = db.execute("SELECT user_data FROM servers WHERE id = ?", (server_id,)).fetchone()
    return value.encode() if isinstance(value, str) else value
