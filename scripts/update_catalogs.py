"""Extract every user-facing message into locales/messages.pot and merge it into each
language's catalog (locales/<lang>/LC_MESSAGES/messages.po).

Sources of messages: `_()` / `N_()` calls in bot/ and actions/ (Babel's Python
extractor), and the `reason` and `title` texts of the rule files in bot/rules/.
Run it after changing any text: `make catalogs`. New languages: add the code to
LANGUAGES below and run it; then translate the new file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
LANGUAGES = ("fi", "sv", "ru", "uk", "ar", "so", "fa", "et", "tr", "zh", "fr", "es")


def template() -> Catalog:
    catalog = Catalog(project="kotobotti", msgid_bugs_address="", charset="utf-8")
    for folder in ("bot", "actions"):
        if not (ROOT / folder).exists():
            continue
        for filename, lineno, message, comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")]
        ):
            if isinstance(message, str):
                catalog.add(message, locations=[(f"{folder}/{filename}", lineno)], auto_comments=comments)
    for path in sorted((ROOT / "bot" / "rules").glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        rel = path.relative_to(ROOT).as_posix()
        catalog.add(data["ruleset"]["title"], locations=[(rel, 0)])
        for rule in data["rules"]:
            catalog.add(" ".join(rule["reason"].split()), locations=[(rel, 0)], auto_comments=[rule["id"]])
    return catalog


def main() -> int:
    pot = template()
    with (LOCALES / "messages.pot").open("wb") as f:
        write_po(f, pot, width=100, omit_header=False, sort_output=False)
    for language in LANGUAGES:
        po_path = LOCALES / language / "LC_MESSAGES" / "messages.po"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        if po_path.exists():
            with po_path.open("rb") as f:
                catalog = read_po(f, locale=language)
        else:
            catalog = Catalog(locale=language, project="kotobotti", charset="utf-8")
        catalog.update(pot, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False  # the header: the catalogs are reviewed, not machine-merged
        with po_path.open("wb") as f:
            write_po(f, catalog, width=100, sort_output=False)
    print(f"{len(pot)} messages; catalogs: {', '.join(LANGUAGES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
