"""Sections, chunks and language detection on real write-ups, plus properties on any input."""

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.chunking import chunk_sections, split_long
from indexer.corpus import read_document
from indexer.frontmatter import FrontMatterError, split
from indexer.language import detect
from indexer.sections import parse_sections
from tests.conftest import FIXTURES

PRACTICES = FIXTURES / "practices"


def test_headings_in_each_language_map_to_canonical_sections(taxonomy):
    for name in (
        "housing-roma-families",
        "housing-roma-families-ro",
        "mentoring-migrant-workers",
        "kinderschutz-familienrat",
    ):
        document, problems = read_document(PRACTICES / f"{name}.md", "practice", taxonomy)
        assert problems == []
        assert [s.key for s in document.sections] == ["problem", "approach", "results", "transferability"]


def test_sections_keep_source_line_ranges(taxonomy):
    document, _ = read_document(PRACTICES / "housing-roma-families.md", "practice", taxonomy)
    lines = (PRACTICES / "housing-roma-families.md").read_text().splitlines()
    for section in document.sections:
        assert lines[section.line_start - 1] == f"## {section.heading}"
        assert section.paragraphs[0].text in lines[section.paragraphs[0].line - 1]


def test_subsections_inherit_the_section_key_and_path(taxonomy):
    body = "## Abordare\n\nText.\n\n### Pasul 1\n\nPrimul pas.\n\n## Altceva\n\nAlt text.\n"
    _, sections = parse_sections(body, 1, taxonomy)
    assert [(s.path, s.key) for s in sections] == [
        (("Abordare",), "approach"),
        (("Abordare", "Pasul 1"), "approach"),
        (("Altceva",), None),
    ]


def test_markup_is_reduced_to_text_with_lists_and_tables(taxonomy):
    body = "## Approach\n\nSee **the** [manual](http://x).\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    _, [section] = parse_sections(body, 1, taxonomy)
    assert [p.text for p in section.paragraphs] == ["See the manual.", "- one", "- two", "a | b", "1 | 2"]


def test_chunks_stay_within_bounds_and_carry_context(taxonomy):
    text = " ".join(f"Sentence number {i} describes one step of the case-management process." for i in range(60))
    body = f"## Approach\n\n{text}\n\nShort closing paragraph.\n"
    _, sections = parse_sections(body, 1, taxonomy)
    chunks = chunk_sections("doc", "A title", sections, size=600)
    assert len(chunks) > 3
    assert all(len(c.text) <= 900 for c in chunks)
    assert all(c.context == "A title › Approach" and c.embed_text.startswith("A title › Approach\n") for c in chunks)
    assert [c.id for c in chunks] == [f"doc#{i}" for i in range(len(chunks))]


def test_language_detection_is_deterministic_and_right(taxonomy):
    for name, language in (
        ("housing-roma-families-ro", "ro"),
        ("mentoring-migrant-workers", "pt"),
        ("kinderschutz-familienrat", "de"),
    ):
        document, _ = read_document(PRACTICES / f"{name}.md", "practice", taxonomy)
        first = detect(document.text)
        detect.cache_clear()
        assert first == detect(document.text) and first[0] == language


def test_language_detection_declines_short_text():
    assert detect("ok") is None


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=3000), st.integers(min_value=20, max_value=1500))
def test_split_long_loses_nothing(text, limit):
    pieces = split_long(text, limit)
    assert "".join(pieces) == text
    assert all(len(piece) <= limit for piece in pieces)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=1200), max_size=8),
    st.integers(min_value=100, max_value=1200),
)
def test_every_character_of_a_section_lands_in_a_chunk(taxonomy, paragraphs, size):
    body = "## Approach\n\n" + "\n\n".join(p.replace("\n", " ") for p in paragraphs) + "\n"
    _, sections = parse_sections(body, 1, taxonomy)
    chunks = chunk_sections("doc", "T", sections, size=size)
    section_text = "".join(s.text for s in sections)
    assert "".join("".join(c.text.split()) for c in chunks) == "".join(section_text.split())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_front_matter_parser_never_crashes(text):
    try:
        split("---\n" + text + "\n---\nbody\n")
    except FrontMatterError as error:
        assert error.line >= 1 and error.message
