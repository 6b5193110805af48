"""Translations: French and Dutch for the whole interface, Arabic and Tigrinya for the guest's ticket.

The compiled ``.mo`` files are committed (a fresh machine needs no gettext): a test checks they
say exactly what the ``.po`` files say, so nobody edits one and forgets the other.
"""
import ast
import gettext
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.test import SimpleTestCase
from django.utils import translation

from nightstay.intake.models import Party

from .base import HubTestCase

LOCALE = Path(settings.LOCALE_PATHS[0])
TONIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Europe/Brussels"))
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|%d")


def read_po(path: Path) -> dict:
    """The translated, non-fuzzy entries of a .po file, keyed as Python's gettext keys them."""
    catalog, entry, key = {}, {}, None

    def close():
        if "msgid" in entry and "fuzzy" not in entry.get("flags", ""):
            msgid = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
            if "msgid_plural" in entry:
                for n, text in entry.get("forms", {}).items():
                    if text:
                        catalog[(msgid, n)] = text
            elif entry.get("msgstr") and msgid:
                catalog[msgid] = entry["msgstr"]

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            close()
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(key, int):
                entry["forms"][key] += text
            else:
                entry[key] += text
        else:
            word, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if word.startswith("msgstr["):
                key = int(word[7:-1])
                entry.setdefault("forms", {})[key] = text
            else:
                key = word
                entry[key] = text
    return catalog


def read_mo(path: Path) -> dict:
    with path.open("rb") as f:
        catalog = dict(gettext.GNUTranslations(f)._catalog)
    catalog.pop("", None)
    return catalog


class CatalogTests(SimpleTestCase):
    def test_every_language_has_its_files(self):
        for lang in ("fr", "nl", "ar", "ti"):
            self.assertTrue((LOCALE / lang / "LC_MESSAGES" / "django.po").exists(), lang)
            self.assertTrue((LOCALE / lang / "LC_MESSAGES" / "django.mo").exists(), lang)

    def test_the_mo_files_are_compiled_from_the_po_files(self):
        for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
            self.assertEqual(read_po(po), read_mo(po.with_suffix(".mo")),
                             f"{po} changed: run manage.py compilemessages --ignore=.venv")

    def test_french_and_dutch_translate_the_whole_interface(self):
        for lang in ("fr", "nl"):
            po = LOCALE / lang / "LC_MESSAGES" / "django.po"
            text = po.read_text(encoding="utf-8")
            msgids = {ast.literal_eval(m) for m in re.findall(r'^msgid (".*")$', text, re.M)} - {""}
            translated = {k if isinstance(k, str) else k[0] for k in read_po(po)}
            self.assertEqual(msgids - translated, set(), f"{lang}: untranslated or fuzzy")

    def test_the_catalogues_know_every_string_the_templates_translate(self):
        """A string added to a template after the last makemessages is in no catalogue, so the test
        above cannot see it untranslated: the running-late and offline-intake texts showed in English."""
        literal = re.compile(r'{%\s*translate\s+("(?:[^"\\]|\\.)*")\s*(?:as\s+\w+\s*)?%}')
        pages = Path(settings.TEMPLATES[0]["DIRS"][0]).rglob("*.html")
        used = {ast.literal_eval(m).replace("%", "%%") for page in pages
                for m in literal.findall(page.read_text(encoding="utf-8"))}
        self.assertGreater(len(used), 200)
        for lang in ("fr", "nl"):
            text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
            msgids = {ast.literal_eval(m) for m in re.findall(r'^msgid (".*")$', text, re.M)}
            self.assertEqual(used - msgids, set(), f"{lang}: run makemessages, then translate")

    def test_placeholders_survive_translation(self):
        for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
            for key, text in read_po(po).items():
                msgid = key if isinstance(key, str) else key[0]
                if PLACEHOLDER.search(msgid) or PLACEHOLDER.search(text):
                    expected = set(PLACEHOLDER.findall(msgid))
                    if isinstance(key, tuple) and key[1] == 0:
                        expected -= {"%(n)s"}  # a singular may spell out "one"
                    self.assertLessEqual(expected, set(PLACEHOLDER.findall(text)) | {"%(n)s"}, f"{po}: {msgid}")
                    self.assertLessEqual(set(PLACEHOLDER.findall(text)) - {"%(n)s"},
                                         set(PLACEHOLDER.findall(msgid)), f"{po}: {msgid}")


@time_machine.travel(TONIGHT, tick=False)
class PagesInTheirLanguageTests(HubTestCase):
    def test_the_intake_page_in_french_and_dutch(self):
        self.log_in(self.colette)
        for lang, word in (("fr", "Enregistrer"), ("nl", "Registreren")):
            self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: lang})
            r = self.client.get("/intake/brussels/")
            self.assertContains(r, f'<html lang="{lang}">', html=False)
            self.assertContains(r, f'<button class="save">{word}</button>', html=False)

    def test_my_pledges_in_french(self):
        self.log_in(self.hugo)
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "fr"})
        self.assertContains(self.client.get("/pledges/brussels/"), "Mes offres")

    def test_the_footer_switcher_offers_the_interface_languages(self):
        self.log_in(self.hugo)
        r = self.client.get("/pledges/brussels/")
        for code in ("en", "fr", "nl"):
            self.assertContains(r, f'name="language" value="{code}"')

    def test_the_ticket_page_in_arabic_right_to_left_and_in_tigrinya(self):
        party = Party.objects.create(night=self.hub.tonight(), ticket="KXRT", waiting_since=TONIGHT)
        url = f"/intake/ticket/{party.guest_token()}/"
        r = self.client.get(url + "ar/")
        self.assertContains(r, '<html lang="ar" dir="rtl">', html=False)
        self.assertContains(r, "سننادي رمزكم")  # addressed to everyone in the party (plural)
        self.assertContains(r, "لن يسألكم أحد")
        r = self.client.get(url + "ti/")
        self.assertContains(r, '<html lang="ti">', html=False)
        self.assertContains(r, "ኮድኩም ክንጽውዕ ኢና")
        self.assertContains(r, "ኣይክሓተኩምን")  # "will not ask", not "did not ask"
        self.assertContains(self.client.get(url + "nl/"), "We roepen je code om.")


class SwitcherTests(HubTestCase):
    def test_each_language_is_named_in_itself(self):
        self.log_in(self.hugo)
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "fr"})
        r = self.client.get("/pledges/brussels/")
        self.assertContains(r, 'lang="en">English</button>', html=False)
        self.assertContains(r, 'lang="nl">Nederlands</button>', html=False)


class ErrorPageTests(HubTestCase):
    def test_the_generic_error_pages_speak_the_visitors_language(self):
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "fr"})
        self.assertContains(self.client.get("/no-such-page/"), "Page introuvable", status_code=404)
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "nl"})
        self.assertContains(self.client.get("/no-such-page/"), "Niet gevonden", status_code=404)

    def test_a_mistyped_ticket_link_says_not_found_in_the_guests_language(self):
        r = self.client.get("/intake/ticket/not-a-ticket/ar/")
        self.assertContains(r, "غير موجود", status_code=404)
        self.assertContains(r, "العودة إلى البداية", status_code=404)
        r = self.client.get("/intake/ticket/not-a-ticket/ti/")
        self.assertContains(r, "ኣይተረኽበን", status_code=404)

    def test_the_guest_languages_carry_the_error_pages_strings(self):
        for lang in ("ar", "ti"):
            with translation.override(lang):
                for text in ("Not found", "Something went wrong", "Try again", "Back to the start",
                             "The site cannot reach its database just now.", "Not allowed", "Bad request"):
                    self.assertNotEqual(translation.gettext(text), text, f"{lang}: {text}")

    def test_french_says_each_week_not_every_one_weeks_and_names_the_last_night(self):
        with translation.override("fr"):
            once = translation.ngettext("every %(n)s week on %(day)s", "every %(n)s weeks on %(day)s", 1)
            self.assertEqual(once % {"n": 1, "day": "mardi"}, "chaque semaine le mardi")
            self.assertNotIn("Jusqu'au (", translation.gettext("Until (the last night)"))
