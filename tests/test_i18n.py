"""German is the portal's language; the catalogue is complete and compiled (STYLE: UI strings translated)."""

import ast
import gettext
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from conftest import login

PO = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def po_entries():
    """(context, msgid, msgstr list, fuzzy) of every entry, parsed from the .po file."""
    text = PO.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields, current = {}, None
        for line in lines:
            match = re.match(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            strings = [value for key, value in fields.items() if key.startswith("msgstr")]
            entries.append((fields.get("msgctxt"), fields["msgid"], strings, fuzzy))
    return entries


def unescape(value):
    return ast.literal_eval(f'"{value}"')


def test_german_is_the_default_language():
    production = importlib.import_module("partnerportal.settings")
    assert production.LANGUAGE_CODE == "de"


def test_every_string_is_translated_and_nothing_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 300
    missing = [msgid for _ctx, msgid, strings, fuzzy in entries if fuzzy or not all(strings)]
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for context, msgid, strings, _fuzzy in po_entries():
        if len(strings) == 1:
            key = unescape(msgid)
            expected = unescape(strings[0])
            got = catalogue.pgettext(unescape(context), key) if context else catalogue.gettext(key)
            assert got == expected, msgid


ENGLISH_WORDS = ("Log out", "Customers", "Members", "Activity", "Profile", "Dashboard", "entries", "Search", "Add")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/customers/", "/account/members/", "/activity/", "/profile/", "/customers/todos/"]
)
def test_pages_speak_german_whatever_the_browser_asks_for(world, settings, path):
    settings.LANGUAGE_CODE = "de"
    client = login(Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"), world.r1.owner)
    body = client.get(path).content.decode()
    assert 'lang="de"' in body
    assert "Abmelden" in body
    visible = re.sub(r"<[^>]+>", " ", body)
    leaked = [word for word in ENGLISH_WORDS if re.search(rf"\b{word}\b", visible)]
    assert leaked == [], f"{path}: {leaked}"


@pytest.mark.django_db
def test_the_language_switch_changes_to_english_and_back(world, settings):
    settings.LANGUAGE_CODE = "de"
    client = login(Client(), world.r1.owner)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log out" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert "Abmelden" in client.get("/").content.decode()
