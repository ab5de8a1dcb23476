"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

Usage: python scripts/po_fill.py dieuhanh/locale/vi/LC_MESSAGES/django.po translations.json
Only single-line msgids are handled; existing translations are kept. Fuzzy flags on filled entries are removed.
"""

import json
import re
import sys


def escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def fill(po_text, table):
    out, filled = [], 0
    blocks = po_text.split("\n\n")
    for block in blocks:
        m = re.search(r'^msgid "(.*)"\nmsgstr ""$', block, re.M)
        if m:
            key = m.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if key and key in table:
                empty = f'msgid "{m.group(1)}"\nmsgstr ""'
                block = block.replace(empty, f'msgid "{m.group(1)}"\nmsgstr "{escape(table[key])}"')
                block = re.sub(r"^#, fuzzy\n", "", block, flags=re.M)
                filled += 1
        out.append(block)
    return "\n\n".join(out), filled


if __name__ == "__main__":
    po, table = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
    text, n = fill(open(po, encoding="utf-8").read(), table)
    open(po, "w", encoding="utf-8").write(text)
    print(f"filled {n}")
