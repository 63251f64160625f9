"""The UI really speaks Georgian, Amharic, Mongolian and Telugu: catalogs are complete, compiled,
keep their placeholders, and pages render in the chosen language."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

import helpline

LOCALE = Path(helpline.__file__).parent / "locale"
LANGUAGES = ("ka", "am", "mn", "te")
SCRIPTS = {
    "ka": re.compile(r"[\u10a0-\u10ff]"),
    "am": re.compile(r"[\u1200-\u137f]"),
    "mn": re.compile(r"[\u0400-\u04ff]"),
    "te": re.compile(r"[\u0c00-\u0c7f]"),
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def _po_entries(language: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a PO file; plural entries give their first form."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    entries = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        msgid, msgstr, current = [], [], None
        for line in lines:
            if line.startswith("msgid "):
                current = msgid
                line = line[6:]
            elif line.startswith("msgid_plural "):
                current = None
                continue
            elif line.startswith(("msgstr ", "msgstr[0] ")):
                current = msgstr
                line = line.split(" ", 1)[1]
            elif line.startswith("msgstr["):
                current = None
                continue
            if current is not None and line.startswith('"'):
                current.append(line[1:-1])
        if msgid and "".join(msgid):
            entries.append(("".join(msgid), "".join(msgstr)))
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_keeps_placeholders(language: str) -> None:
    entries = _po_entries(language)
    assert len(entries) > 500
    missing = [msgid for msgid, msgstr in entries if not msgstr]
    assert not missing, f"{len(missing)} untranslated in {language}, e.g. {missing[:5]}"
    script = SCRIPTS[language]
    in_script = sum(1 for _, msgstr in entries if script.search(msgstr))
    assert in_script / len(entries) > 0.9, "translations are written in the language's own script"
    for msgid, msgstr in entries:
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), (language, msgid, msgstr)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_the_source(language: str) -> None:
    mo = LOCALE / language / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for msgid, msgstr in _po_entries(language):
        if "\\" in msgid:
            continue  # escapes are decoded in the .mo; compared below through Django
        assert catalog.gettext(msgid) == msgstr, f"{mo} is stale: run compilemessages ({msgid!r})"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_render_in_the_chosen_language(language: str) -> None:
    client = Client()
    client.post("/accounts/language/", {"language": language, "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    with translation.override(language):
        sign_in = translation.gettext("Sign in")
    assert sign_in != "Sign in" and sign_in in page
    assert f'lang="{language}"' in page
    form = client.get("/portal/new/").content.decode()
    assert SCRIPTS[language].search(form)
