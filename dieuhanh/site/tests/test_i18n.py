"""Vietnamese is the default language; English is one click away; every UI string has a translation."""

import re
from pathlib import Path

from conftest import PASSWORD

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def test_pages_default_to_vietnamese_and_switch_to_english(org, client):
    client.login(username=org.clerk_a.username, password=PASSWORD)
    home = client.get("/").content.decode()
    assert '<html lang="vi">' in home and "Đơn vị và vai trò của bạn" in home and "Văn thư" in home
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert resp.status_code == 302
    home = client.get("/").content.decode()
    assert '<html lang="en">' in home and "Your units and roles" in home


def test_every_vietnamese_message_is_translated():
    po = (LOCALE / "vi/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    # a long msgstr is wrapped by msgmerge: 'msgstr ""' then continuation lines
    entries = [(msgid, first + "".join(re.findall(r'"(.*)"', rest)))
               for msgid, first, rest in re.findall(r'\nmsgid "(.+)"\nmsgstr "(.*)"((?:\n".*")*)', po)]
    assert len(entries) > 100
    missing = [msgid for msgid, msgstr in entries if not msgstr]
    assert missing == []
    # msgmerge's fuzzy guesses are not translations (and compilemessages skips them); the header is the only one
    assert po.count("#, fuzzy") <= 1
    # the compiled catalogue the server loads carries every translation of the .po
    import gettext

    with open(LOCALE / "vi/LC_MESSAGES/django.mo", "rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = [msgid for msgid, msgstr in entries
             if "\\" not in msgid and catalogue.gettext(msgid) != msgstr.replace('\\"', '"')]
    assert stale == [], "run `make messages` (compilemessages) after editing the .po"


def test_an_english_browser_still_gets_vietnamese_until_the_person_switches(org, client):
    client.login(username=org.clerk_a.username, password=PASSWORD)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in home
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
