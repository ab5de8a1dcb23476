"""Fill a .po file's untranslated and fuzzy entries from a JSON dictionary {msgid: msgstr}.

Usage: python scripts/po_fill.py dieuhanh/locale/vi/LC_MESSAGES/django.po dieuhanh/locale/vi.json
Only single-line msgids are handled. Fuzzy guesses made by msgmerge are replaced by the dictionary's entry;
fuzzy entries the dictionary lacks stay fuzzy (and the i18n test reports them).
"""

import json
import re
import sys

ENTRY = re.compile(r'^msgid "(.+)"\nmsgstr "(.*)"$', re.M)


def escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def unescape(text):
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def fill(po_text, table):
    out, filled = [], 0
    for block in po_text.split("\n\n"):
        m = ENTRY.search(block)
        fuzzy = "#, fuzzy" in block
        if m and (fuzzy or not m.group(2)):
            key = unescape(m.group(1))
            if key in table:
                block = block[: m.start()] + f'msgid "{m.group(1)}"\nmsgstr "{escape(table[key])}"' + block[m.end():]
                block = re.sub(r"^#, fuzzy\n|^#\| .*\n", "", block, flags=re.M)
                filled += 1
        out.append(block)
    return "\n\n".join(out), filled


if __name__ == "__main__":
    po, table = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
    text, n = fill(open(po, encoding="utf-8").read(), table)
    open(po, "w", encoding="utf-8").write(text)
    print(f"filled {n}")
