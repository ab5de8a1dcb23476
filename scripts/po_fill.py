"""Fill a .po file's untranslated and fuzzy entries from a JSON dictionary {msgid: msgstr}.

Usage: python scripts/po_fill.py dieuhanh/locale/vi/LC_MESSAGES/django.po dieuhanh/locale/vi.json
Multi-line msgids are joined before the look-up; plural entries take the dictionary's entry for their singular
msgid (Vietnamese has one plural form). Fuzzy guesses made by msgmerge are replaced by the dictionary's entry;
fuzzy entries the dictionary lacks stay fuzzy (and the i18n test reports them).
"""

import json
import re
import sys

STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def unescape(text):
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _parse(block):
    """(comments, {keyword: joined value}) of one entry; keywords msgid, msgid_plural, msgstr, msgstr[0]..."""
    comments, fields, current = [], {}, None
    for line in block.split("\n"):
        if line.startswith("#"):
            comments.append(line)
            continue
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
        if m:
            current = m.group(1)
            fields[current] = "".join(STRING.findall(m.group(2)))
        elif line.startswith('"') and current:
            fields[current] += "".join(STRING.findall(line))
    return comments, fields


def fill(po_text, table):
    out, filled = [], 0
    for block in po_text.split("\n\n"):
        comments, fields = _parse(block)
        msgid = fields.get("msgid")
        translated = fields.get("msgstr") or fields.get("msgstr[0]")
        fuzzy = any(c.startswith("#,") and "fuzzy" in c for c in comments)
        key = unescape(msgid) if msgid else None
        if key and (fuzzy or not translated) and key in table:
            kept = []
            for c in comments:
                if c.startswith("#|"):
                    continue  # msgmerge's previous msgid, for a fuzzy guess
                if c.startswith("#,"):
                    flags = [f.strip() for f in c[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                    if not flags:
                        continue
                    c = "#, " + ", ".join(flags)
                kept.append(c)
            lines = kept + [f'msgid "{msgid}"']
            value = escape(table[key])
            if "msgid_plural" in fields:
                lines += [f'msgid_plural "{fields["msgid_plural"]}"', f'msgstr[0] "{value}"']
            else:
                lines.append(f'msgstr "{value}"')
            block = "\n".join(lines)
            filled += 1
        out.append(block)
    return "\n\n".join(out), filled


if __name__ == "__main__":
    po, table = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
    text, n = fill(open(po, encoding="utf-8").read(), table)
    open(po, "w", encoding="utf-8").write(text)
    print(f"filled {n}")
