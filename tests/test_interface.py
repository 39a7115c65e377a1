"""The interface catalogues and the translated pages: every language has every string, and no
translation is older than its English page (this is the CI check that flags them)."""

import re
import shutil
from pathlib import Path

from praxis.interface import Interface, catalogue, languages, scripts_catalogue
from praxis.translations import source_version, stale_translations
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_language_has_every_string_with_the_same_placeholders(taxonomy):
    assert sorted(languages()) == sorted(taxonomy.languages)
    english = catalogue("en")
    for language in languages():
        strings = catalogue(language)
        assert set(strings) == set(english), language
        for key, text in english.items():
            assert set(PLACEHOLDER.findall(strings[key])) == set(PLACEHOLDER.findall(text)), (language, key)
        assert Interface(language).text("search.found", total=3, shown=2, languages=2).count("3") == 1


def test_translations_are_mostly_not_english():
    english = catalogue("en")
    for language in languages()[1:]:
        same = [key for key, text in catalogue(language).items() if text == english[key] and len(text) > 12]
        assert len(same) < 3, (language, same)


def test_the_scripts_get_only_their_sections():
    words = scripts_catalogue()["ro"]
    assert words["search.submit"] == "Căutați practici" and not any(key.startswith("browse.") for key in words)


def test_no_translated_page_is_older_than_its_english_page():
    assert stale_translations(ROOT / "docs") == []


def test_a_change_to_an_english_page_flags_its_translations(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs" / "methodology", docs / "methodology")
    page = docs / "methodology" / "case-management.md"
    before = source_version(page)
    page.write_text(page.read_text() + "\nA new paragraph.\n")
    problems = stale_translations(docs)
    flagged = sorted(Path(p.path).name for p in problems)
    assert flagged == sorted(p.name for p in (docs / "methodology").glob("case-management.*.md"))
    assert all(before in p.message and source_version(page) in p.message for p in problems)
    assert all(p.field == "source_version" and p.line > 1 for p in problems)
