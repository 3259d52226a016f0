"""The catalogs, checked as CI must: every string the code marks has a
translation in every language, none fuzzy, each keeping the placeholders of its
English; and the compiled catalogs the portal loads are those of today's .po."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from webapp.config import DEFAULTS
from webapp.i18n import catalog_name

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"
LANGUAGES = DEFAULTS["LANGUAGES"][1:]  # the first is the source's own


def makefile_keywords() -> list[str]:
    """The extraction keywords of the Makefile (`make i18n` uses them too)."""
    line = re.search(r"^KEYWORDS = (.*)$", (ROOT / "Makefile").read_text(), re.M)
    return line.group(1).split()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """What `make i18n` extracts from today's code."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [pybabel, "-q", "extract", "-F", "babel.cfg", *makefile_keywords(), "-o", pot, "."],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as file:
        return read_po(file)


def catalog(language: str):
    with (TRANSLATIONS / catalog_name(language) / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=language)


def translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def test_the_code_marks_strings_from_python_and_templates(template):
    files = {location[0].split("/")[1] for message in template for location in message.locations}
    assert {"templates", "forms", "blueprints", "cloud"} <= files
    assert len(template) > 300


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_is_translated_and_none_is_fuzzy(template, language):
    po = catalog(language)
    missing = [m.id for m in template if m.id and (m.id not in po or not translated(po[m.id]))]
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    assert not missing, (
        f"{language}: no translation for {missing} (run `make i18n`, then translate)"
    )
    assert not fuzzy, f"{language}: fuzzy, to check and confirm: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_holds_no_string_the_code_no_longer_marks(template, language):
    stale = [m.id for m in catalog(language) if m.id and m.id not in template]
    assert not stale, f"{language}: strings no longer in the code: {stale} (run `make i18n`)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_english(language):
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog(language).check()]
    assert not problems
    # Placeholders of str.format ("{name}") are not checked by Babel: here they are.
    for message in catalog(language):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"\{\w*\}", ids[-1]))
        for string in strings:
            assert set(re.findall(r"\{\w*\}", string)) == wanted, (message.id, string)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_todays(language):
    compiled = TRANSLATIONS / catalog_name(language) / "LC_MESSAGES" / "messages.mo"
    assert compiled.exists(), f"{compiled} missing: `make run` and `make test` compile it"
    expected = io.BytesIO()
    write_mo(expected, catalog(language))
    assert compiled.read_bytes() == expected.getvalue(), f"{compiled} is stale: run `make i18n`"
