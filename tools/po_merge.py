"""Merge a .pot into a .po, keeping existing translations; list what is missing.

Usage: po_merge.py TEMPLATE.pot LANG.po
"""

import os
import sys

import polib

HEADER = {
    "Project-Id-Version": "Odoo Server 18.0",
    "Language": "ru",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
}


def main(pot_path, po_path):
    pot = polib.pofile(pot_path)
    if os.path.exists(po_path):
        po = polib.pofile(po_path)
    else:
        po = polib.POFile()
        po.metadata = dict(HEADER)
    po.merge(pot)
    po.metadata.update({k: v for k, v in HEADER.items() if k not in po.metadata})
    for entry in po.obsolete_entries():
        po.remove(entry)
    po.save(po_path)
    missing = [e.msgid for e in po if not e.msgstr or "fuzzy" in e.flags]
    print(f"{po_path}: {len(po)} terms, {len(missing)} without a translation")
    for msgid in missing:
        print(f"  - {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
