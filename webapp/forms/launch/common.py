"""Pieces the launch actions share: their base class, their resources, a checkbox
list field, labels and the parsing of ``key=value`` lines."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import flask_wtf.i18n
from wtforms import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; types-WTForms 3.2 lacks it
from wtforms import SelectMultipleField
from wtforms import ValidationError
from wtforms import widgets

from webapp.cloud.base import CloudConnection
from webapp.cloud.catalog import Catalog
from webapp.cloud.models import Flavor
from webapp.forms.launch.settings import LaunchSettings
from webapp.i18n import format_decimal
from webapp.i18n import gettext as _
from webapp.workflow import Action

__all__ = [
    "METADATA_KEY",
    "LaunchAction",
    "LaunchResources",
    "MultiCheckboxField",
    "SelectChoice",
    "file_text",
    "flavor_label",
    "parse_pairs",
    "size_mb",
    "unix_newlines",
]


class LaunchAction(Action):
    """The base of every launch action: WTForms' own messages ("This field is
    required.", "Not a valid choice.") in the request's language.

    WTForms merges the ``Meta`` classes along the MRO, so each action's own
    ``Meta`` (name, slug, help text) keeps this one's translations. The engine's
    :class:`~webapp.workflow.Action` knows no Flask: this is the launch's.
    """

    class Meta:
        def get_translations(self, form):
            # Flask-WTF's: WTForms' catalogs in the request's language, as
            # Flask-Babel chooses it (the messages as they are without a request).
            return flask_wtf.i18n.translations


@dataclass
class LaunchResources:
    """What the launch actions and workflow need: the wizard's lists, the
    operator's launch settings, and a way to reach the cloud when (and only when)
    a call is needed."""

    catalog: Catalog
    connect: Callable[[], CloudConnection]
    settings: LaunchSettings

    @property
    def connection(self) -> CloudConnection:
        """The user's cloud connection."""
        return self.connect()


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes, usable without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def size_mb(value: int) -> str:
    """Megabytes in words: 512 MB, 2 GB, 1,536 GB (the units are the same in every
    language; the number is written the language's way)."""
    if value >= 1024:
        return f"{format_decimal(round(value / 1024, 2))} GB"
    return f"{format_decimal(value)} MB"


def flavor_label(flavor: Flavor) -> str:
    """A flavor in one line: its name and size."""
    return _(
        "%(name)s (%(vcpus)s vCPU, %(ram)s RAM, %(disk)s GB disk)",
        name=flavor.name,
        vcpus=flavor.vcpus,
        ram=size_mb(flavor.ram_mb),
        disk=flavor.disk_gb,
    )


def parse_pairs(text: str, *, what: str) -> dict[str, str]:
    """``key=value`` lines into a dict; raises ValidationError naming the bad line.

    :param what: "metadata item" or "scheduler hint", what the lines are.
    """
    pairs: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            if what == "scheduler hint":
                raise ValidationError(
                    _("Line %(number)s: write each scheduler hint as key=value.", number=number)
                )
            raise ValidationError(
                _("Line %(number)s: write each metadata item as key=value.", number=number)
            )
        pairs[key.strip()] = value.strip()
    return pairs


def unix_newlines(value: str | None) -> str | None:
    """A WTForms filter for typed text: browsers post a textarea's lines with CRLF,
    which would break a shell script's first line (#!/bin/sh\r) on the server.
    (An uploaded file keeps its own line ends.)"""
    return value.replace("\r\n", "\n") if value else value


def file_text(content: bytes) -> str | None:
    """A file's content as text when it is UTF-8 text (without NUL), else None."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


#: Nova's rule for server metadata keys
METADATA_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
