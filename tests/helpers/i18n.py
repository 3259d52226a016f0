"""Reading a page as a user of another language would: its visible words, and
which English words on it are the cloud's (names, descriptions) rather than ours."""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from html.parser import HTMLParser

from webapp.cloud.demo import data

#: attributes whose text a user sees or hears (buttons' value, tooltips, labels)
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-label")
#: elements whose content is not shown, or is the cloud's (a console log) or code
UNSHOWN = {"script", "style", "template", "pre", "code", "kbd", "samp", "option"}

#: English that stays English in every language: names, units, protocols.
ALLOWED = frozenset(
    """Skiff OpenStack Nova Cinder Glance Neutron Keystone SSH IP IPv IPv4 IPv6 IPs TCP
    UDP ICMP UUID ID GB MB KB TB GiB MiB KiB vCPU vCPUs RAM MIME HTTP HTTPS URL JSON
    YAML PEM RSA ed cloud init cloud-init config UTF English RFC UTC DHCP DNS Linux
    Windows OS OpenSSH pub gzip different_host same_host openstack API OpenTofu Terraform
    root sudo sh IANA Europe Paris Asia Shanghai""".split()
)

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: what is not words: times (ISO 8601, in titles) and ids (request ids, hex)
_NOT_WORDS = re.compile(
    r"\d{4}-\d\d-\d\d[T ][\d:.]+(Z|[+-]\d\d:?\d\d)?|\b(?=[0-9a-f-]*\d)[0-9a-f-]{6,}\b"
)


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in UNSHOWN:
            self._hidden += 1
        for name in SHOWN_ATTRIBUTES:
            # a code field's placeholder (spellcheck off) is an example of code
            code = name == "placeholder" and attributes.get("spellcheck") == "false"
            if attributes.get(name) and not code:
                self.texts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in UNSHOWN and self._hidden:
            self._hidden -= 1

    def handle_data(self, text):
        if not self._hidden:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    """The texts of ``html`` a user sees: text nodes and shown attributes."""
    parser = _Visible()
    parser.feed(html)
    return [text.strip() for text in parser.texts if text.strip()]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value):
        return [
            s for field in dataclasses.fields(value) for s in _strings(getattr(value, field.name))
        ]
    if isinstance(value, dict):  # values only: keys are the module's own words
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [s for item in value for s in _strings(item)]
    return []


@cache
def cloud_words() -> frozenset[str]:
    """Every word in the demo cloud's data (names, descriptions, OS names): the
    cloud's, shown as it comes in any language."""
    values = [getattr(data, name) for name in dir(data) if name.isupper()]
    return frozenset(word for text in _strings(values) for word in _WORD.findall(text))


def english_words(html: str, *, also_allowed: frozenset[str] = frozenset()) -> dict[str, str]:
    """The English words of ``html`` that are neither allowed nor the cloud's:
    word -> the text it was found in."""
    allowed = ALLOWED | cloud_words() | also_allowed
    found: dict[str, str] = {}
    for text in visible_texts(html):
        for word in _WORD.findall(_NOT_WORDS.sub(" ", text)):
            if word not in allowed and not word.isdigit():
                found.setdefault(word, text)
    return found


@cache
def translate(language: str):
    """The portal's own translation into ``language`` (``zh_CN`` or a BCP 47 tag,
    ``zh-CN``) of an English text: a function; for English, the text itself."""
    from babel.support import Translations

    from webapp.i18n import TRANSLATIONS
    from webapp.i18n import catalog_name

    locale = language.replace("-", "_")
    if locale == "en":
        return lambda text: text
    catalog = Translations.load(str(TRANSLATIONS), [catalog_name(locale)])
    assert isinstance(catalog, Translations), f"no compiled catalog for {locale}: run make"
    return catalog.gettext
