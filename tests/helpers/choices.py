"""Finding a choice in a page by its label, as a user would: an option of a
select, a flavor's radio, or a boot source's radio (a row of the Source step's
table; each kind of source is on its own tab)."""

from __future__ import annotations

import re
from collections.abc import Callable

#: the Source step's tabs: the value of each ``source_kind`` radio
_TABS = re.compile(r'name="source_kind" id="[^"]*" value="([^"]+)"')


def choice_value(html: str, label: str) -> str | None:
    """The value of the option or boot source whose label starts with ``label``,
    or of the flavor radio labelled ``label``; None when the page has none."""
    found = re.search(rf'<option[^>]*value="([^"]*)"[^>]*>{re.escape(label)}', html)
    if found:
        return found.group(1)
    found = re.search(
        rf'id="(flavor-\d+)" value="([^"]+)".*?<label for="\1">{re.escape(label)}<', html, re.S
    )
    if found:
        return found.group(2)
    found = re.search(
        rf'id="(source-[^"]+)" value="([^"]+)"[^>]*>\s*<label for="\1">{re.escape(label)}', html
    )
    return found.group(2) if found else None


def source_tabs(html: str) -> list[str]:
    """The kinds of boot source the Source step offers, a tab each."""
    return _TABS.findall(html)


def source_value(html: str, label: str, show: Callable[[str], str]) -> str | None:
    """The boot source labelled ``label`` on the page ``html`` of the Source step,
    else on another tab: ``show(kind)`` is the page showing tab ``kind`` (a
    preview, which keeps the tab but drops the step's other unsaved input)."""
    value = choice_value(html, label)
    for kind in source_tabs(html) if value is None else ():
        value = choice_value(show(kind), label)
        if value is not None:
            break
    return value
