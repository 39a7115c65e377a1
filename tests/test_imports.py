"""`praxis import`: real readers, normalisation and merging on lists written in the shapes the
managing authorities publish; nothing lost, nothing blocked; export and import round trip."""

import json
import os
import subprocess
import sys

import openpyxl
import pytest
import xlwt
from typer.testing import CliRunner

from engine.loaded import LoadedIndex
from indexer.build import build_index
from indexer.imports import normalise
from indexer.imports.mapping import MappingError, builtin_sources, find_mapping, load_mapping
from indexer.imports.run import import_files
from indexer.imports.store import ImportsStore
from praxis.cli import app
from search_api.app import create_app
from tests.conftest import FIXTURES, SHARED, app_settings, build_request, copy_fixture_corpus, in_process

MAPPING = FIXTURES / "imports" / "operations-ro.yml"
HEADER = (
    "Titlu proiect;Descriere;Beneficiar;Fond;Categorie;Data început;Data sfârşit;Valoare totală;Contribuţie UE;"
    "Ţara;Cod SMIS"
)
ROWS = [
    # a clean row
    "Servicii sociale integrate pentru comunităţi rome;Echipe comunitare integrate în 20 de localităţi;"
    "Primăria Cluj;FSE;110;01.03.2016;31.12.2019;1.234.567,89;1.049.382,71;RO;SMIS-1",
    # the same operation again, in another year's list: merged
    "Servicii sociale integrate pentru comunităţi rome;;Primăria Cluj;Fondul Social European;110;;;;;RO;SMIS-1",
    # EU code for Greece, a control character in the title, an unusable date and amount
    "Mediatori\x07 sanitari;Mediere sanitară;Asociaţia X;FSE;112;31/02/2016;;mult;;EL;SMIS-2",
    # no title: left out, reported
    ";Doar o descriere;Asociaţia Y;FSE;;;;;;RO;SMIS-3",
    # an unknown fund and the UK
    'Şcoală după şcoală;"Program de sprijin\nşcolar";Şcoala 5;Fond naţional;115;2017;2018;10,5;;UK;SMIS-4',
]


def write_list(path, rows=ROWS) -> None:
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1250"))


@pytest.fixture
def imported(tmp_path):
    source = tmp_path / "operations.csv"
    write_list(source)
    store = ImportsStore(tmp_path / "imports")
    return import_files(load_mapping(MAPPING), [source], store, "2026-12-01"), store, source


def test_every_usable_row_is_imported_and_every_problem_has_file_row_and_column(imported):
    report, _, source = imported
    assert report.totals() == {
        "rows": 5,
        "records": 3,
        "rejected": 1,
        "skipped": 0,
        "warnings": 3,
        "duplicates_within": 1,
    }
    problems = {(p.line, p.field, p.severity): p.message for p in report.problems}
    assert "no title" in problems[(5, "title", "error")]
    assert "31/02/2016" in problems[(4, "start", "warning")]
    assert "'mult' is not an amount" in problems[(4, "amount", "warning")]
    assert (4, "title", "warning") not in problems  # a control character is removed, not a reason to refuse
    assert "Fond naţional" in problems[(6, "fund", "warning")] and "fund_names" in problems[(6, "fund", "warning")]
    assert all(str(p).startswith(f"{source}:{p.line}: {p.field}: ") for p in report.problems)


def test_values_are_normalised(imported):
    _, store, _ = imported
    records = {record.meta["provenance"][0]["source_id"]: record for record in store.records()}
    clean = records["SMIS-1"]
    assert clean.kind == "project" and clean.language == "ro" and clean.countries == ["RO"]
    assert clean.meta["funds"] == ["ESF"] and clean.meta["themes"] == ["roma-inclusion"]
    assert clean.meta["amount"] == {"total": 1234567.89, "eu": 1049382.71, "currency": "RON"}
    assert (clean.meta["start_date"], clean.meta["end_date"]) == ("2016-03-01", "2019-12-31")
    assert [p["row"] for p in clean.meta["provenance"]] == [2, 3]  # both rows, one record
    greek = records["SMIS-2"]
    assert greek.countries == ["GR"] and greek.title == "Mediatori sanitari"  # EL, and no control character
    assert greek.meta["start_date"] is None and greek.meta["amount"]["total"] is None
    school = records["SMIS-4"]
    assert school.countries == ["GB"] and school.meta["period"] == {"start": 2017, "end": 2018}
    assert school.summary == "Program de sprijin\nşcolar" and school.meta["funds"] == []


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_replaces_its_records(imported, tmp_path):
    _, store, source = imported
    again = import_files(load_mapping(MAPPING), [source], store, "2026-12-02")
    assert again.files[0].unchanged and again.files[0].records == 3
    write_list(source, ROWS[:1])
    changed = import_files(load_mapping(MAPPING), [source], store, "2026-12-02")
    assert not changed.files[0].unchanged and len(list(store.records())) == 1


def test_the_same_operation_in_two_files_is_one_record_with_both_sources(tmp_path, hashing):
    root = copy_fixture_corpus(tmp_path)
    store = ImportsStore(tmp_path / "imports")
    for year in (2016, 2017):
        path = tmp_path / f"list-{year}.csv"
        write_list(path, ROWS[:1])
        import_files(load_mapping(MAPPING), [path], store, "2026-12-01")
    summary = build_index(build_request(root, imports_dir=tmp_path / "imports"), hashing)
    assert (summary.projects, summary.duplicates_merged) == (1, 1)
    index = LoadedIndex.open(root / "index", hashing)
    project = next(d for d in index.documents if d.kind == "project")
    assert [p["file"] for p in project.meta["provenance"]] == ["list-2016.csv", "list-2017.csv"]


def test_json_xlsx_and_xls_read_like_csv(tmp_path):
    rows = [
        ["Titlu proiect", "Beneficiar", "Data început", "Valoare totală"],
        ["Centru de zi", "ONG Z", "2018-05-02", 2500.5],
    ]
    c1_title = "Centru\u0085 de zi"  # a C1 control character, as some UTF-8 exports carry
    book = openpyxl.Workbook()
    book.active.append(["Lista operaţiunilor"])  # a title row above the header, as published
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "list.xlsx")
    sheet = (old := xlwt.Workbook()).add_sheet("Operatiuni")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    old.save(str(tmp_path / "list.xls"))
    record = dict(zip(rows[0], [c1_title, *rows[1][1:]], strict=True))
    (tmp_path / "list.json").write_text(json.dumps({"data": {"items": [record]}}))
    columns = dict(zip(("title", "beneficiary", "start", "amount"), rows[0], strict=True))  # what these files have
    base = {**load_mapping(MAPPING).model_dump(), "columns": columns}
    variants = {
        "xlsx": {"format": "xlsx", "header_row": 2},
        "xls": {"format": "xls", "sheet": "Operatiuni"},
        "json": {"format": "json", "records": "data.items", "encoding": "utf-8", "decimal": "."},
    }
    for extension, changes in variants.items():
        mapping = type(load_mapping(MAPPING)).model_validate({**base, **changes, "name": f"test-{extension}"})
        store = ImportsStore(tmp_path / f"imports-{extension}")
        report = import_files(mapping, [tmp_path / f"list.{extension}"], store, "2026-12-01")
        [record] = list(store.records())
        assert report.totals()["rejected"] == 0, (extension, report.problems)
        assert record.title.replace("…", " ").split() == ["Centru", "de", "zi"], extension
        assert (
            not any("\x00" <= c < " " or "\x7f" <= c <= "\x9f" for c in record.title)
            and record.meta["beneficiary"] == "ONG Z"
        )
        assert record.meta["start_date"] == "2018-05-02" and record.meta["amount"]["total"] == 2500.5, extension


def test_every_built_in_mapping_loads_and_names_its_own_source():
    sources = builtin_sources()
    assert len(sources) > 20
    for name in sources:
        mapping = find_mapping(name)
        assert mapping.name == name, name


def test_a_mapping_that_does_not_fit_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("name: bad\ndescription: x\nformat: csv\ncolumns: {summary: Descriere}\n")
    with pytest.raises(MappingError, match=r"bad.yml: columns.title: Field required"):
        load_mapping(bad)
    with pytest.raises(MappingError, match="unknown source 'nope'"):
        find_mapping("nope")


def test_a_header_without_the_mappings_columns_is_one_error_for_the_file_and_the_others_go_on(tmp_path):
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes(("Denumire proiect;Beneficiar\r\n" + "Centru de zi;ONG Z\r\n" * 3).encode("cp1250"))
    good = tmp_path / "good.csv"
    write_list(good)
    titled = tmp_path / "titled.xlsx"  # a title row above the header, which the mapping does not say
    book = openpyxl.Workbook()
    for row in (["Lista operaţiunilor"], HEADER.split(";"), ROWS[0].split(";")):
        book.active.append(row)
    book.save(titled)
    store = ImportsStore(tmp_path / "imports")
    report = import_files(load_mapping(MAPPING), [renamed, good], store, "2026-12-01")
    [problem] = [p for p in report.problems if p.path == renamed]
    assert problem.field == "file" and report.files[0].unreadable == f"{renamed}: {problem.message}"
    assert "header (row 1) has no column 'Titlu proiect', 'Descriere', 'Fond'" in problem.message
    assert "found 'Denumire proiect', 'Beneficiar'" in problem.message and "mapping's columns" in problem.message
    assert (report.files[0].rows, report.files[1].records) == (0, 3)
    assert store.stored("test-operations-ro", renamed) is None
    xlsx = load_mapping(MAPPING).model_copy(update={"format": "xlsx"})
    [problem] = import_files(xlsx, [titled], store, "2026-12-01").problems
    assert "found 'Lista operaţiunilor'" in problem.message and "header_row" in problem.message


def test_export_then_import_gives_the_same_records(tmp_path, hashing, imported):
    _, store, _ = imported
    root = copy_fixture_corpus(tmp_path / "first")
    build_index(build_request(root, imports_dir=store.directory), hashing)
    with in_process(create_app(app_settings(root / "index"), embedder=hashing)) as client:
        exported = client.get("/api/export", params={"kind": "project"}).text
        as_csv = client.get("/api/export", params={"format": "csv"})
    (tmp_path / "export.jsonl").write_text(exported, encoding="utf-8")
    again = ImportsStore(tmp_path / "again")
    report = import_files(find_mapping("praxis"), [tmp_path / "export.jsonl"], again, "2026-12-03")
    assert report.totals()["records"] == 3 and not report.problems
    second = copy_fixture_corpus(tmp_path / "second")
    build_index(build_request(second, imports_dir=again.directory), hashing)
    with in_process(create_app(app_settings(second / "index"), embedder=hashing)) as client:
        assert client.get("/api/export", params={"kind": "project"}).text == exported
    assert as_csv.headers["content-type"].startswith("text/csv") and as_csv.text.count("\n") == 3 + 5 + 1


def test_projects_are_searchable_filterable_and_labelled_in_the_api(tmp_path, hashing, imported):
    _, store, _ = imported
    root = copy_fixture_corpus(tmp_path)
    build_index(build_request(root, imports_dir=store.directory), hashing)
    with in_process(create_app(app_settings(root / "index"), embedder=hashing)) as client:
        only = client.get("/api/search", params={"q": "servicii sociale comunităţi rome", "kind": "project"}).json()
        both = client.get("/api/search", params={"q": "servicii sociale comunităţi rome"}).json()
        detail = client.get(f"/api/projects/{only['results'][0]['id']}").json()
        practices = client.get("/api/search", params={"q": "servicii sociale", "kind": "practice"}).json()
    assert {hit["kind"] for hit in only["results"]} == {"project"} and only["total"] == len(only["results"]) >= 1
    top = only["results"][0]
    assert top["title"] == "Servicii sociale integrate pentru comunităţi rome" and top["evidence"] is None
    assert top["project"]["provenance"][0]["source"] == "test-operations-ro" and top["status"] is None
    assert {hit["kind"] for hit in both["results"]} == {"practice", "project"}
    assert detail["project"]["beneficiary"] == "Primăria Cluj" and detail["countries"] == ["RO"]
    assert all(hit["kind"] == "practice" and hit["project"] is None for hit in practices["results"])


def test_a_promoted_project_is_a_valid_draft_in_its_language_linking_back(tmp_path, hashing, imported):
    _, store, _ = imported
    root = copy_fixture_corpus(tmp_path)
    build_index(build_request(root, imports_dir=store.directory), hashing)
    env = {**os.environ, "PRAXIS_INDEX_DIR": str(root / "index"), "PRAXIS_SUBMISSIONS_DIR": str(root / "submissions"),
           "PRAXIS_PRACTICES_DIR": str(root / "practices"), "PRAXIS_EMBEDDER": "hashing"}  # fmt: skip
    index = LoadedIndex.open(root / "index", hashing)
    project = next(d for d in index.documents if d.kind == "project" and d.meta["beneficiary"] == "Primăria Cluj")
    run = subprocess.run(
        [sys.executable, "-m", "praxis", "promote", project.id], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    [draft] = (root / "submissions").glob("*.md")
    review = subprocess.run(
        [sys.executable, "-m", "praxis", "review", draft.stem], env=env, capture_output=True, text=True
    )
    assert review.returncode == 0 and "Primăria Cluj" not in review.stderr, review.stderr
    text = draft.read_text(encoding="utf-8")
    assert "language: ro" in text and "status: submitted" in text and f"record: {project.id}" in text
    assert "## Problema și contextul" in text and "Echipe comunitare integrate" in text


def test_praxis_runs_from_any_directory_and_a_wrong_path_is_one_line(tmp_path):
    root = copy_fixture_corpus(tmp_path / "corpus")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PRAXIS_EMBEDDER": "hashing", "PRAXIS_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "praxis", "index", "--practices", str(root / "practices"), "--index", "index"]
    ok = subprocess.run(command, cwd=elsewhere, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    wrong = subprocess.run(
        [*command[:-3], str(tmp_path / "missing")], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr and "is not a directory" in wrong.stderr
    no_docs = subprocess.run(
        [*command, "--docs", str(tmp_path / "missing")], cwd=elsewhere, env=env, capture_output=True
    )
    assert no_docs.returncode == 2 and b"--docs: " in no_docs.stderr and b"is not a directory" in no_docs.stderr
    # An index path taken by a real directory or a file fails before anything is built, leaving nothing.
    for taken in (root / "practices", root / "practices" / "housing-roma-families.md"):
        run = subprocess.run([*command[:-1], str(taken)], cwd=elsewhere, env=env, capture_output=True, text=True)
        assert run.returncode == 1 and "not an index link" in run.stderr and "Traceback" not in run.stderr
        assert not taken.with_name(taken.name + ".builds").exists()


def damage_store(store: ImportsStore):
    """Break the store's one file (a truncated line, a blank one, JSON that is no record) and add a
    file whose header is not one; returns the damaged file, its bytes and the headerless file."""
    [stored] = store.files()
    lines = stored.path.read_bytes().splitlines(keepends=True)
    damaged = b"".join([*lines[:2], b'{"id": "trunc\n', b"\n", b'{"id": "x"}\n', *lines[2:]])
    stored.path.write_bytes(damaged)
    headerless = store.directory / "other" / "0123456789abcdef.jsonl"
    headerless.parent.mkdir()
    headerless.write_bytes(b"garbage\n" + lines[1])
    return stored, damaged, headerless


def test_a_damaged_imports_store_loses_only_its_damaged_lines_and_names_them(imported):
    _, store, source = imported
    stored, damaged, headerless = damage_store(store)
    reread = ImportsStore(store.directory)
    assert len(list(reread.records())) == 3
    assert [(p.path, p.line, p.field) for p in reread.problems] == [
        (headerless, 1, "header"),
        (stored.path, 3, "record"),
        (stored.path, 5, "record"),
    ]
    assert "JSONDecodeError" in reread.problems[1].message and "KeyError: 'sections'" in reread.problems[2].message
    assert all("move" in p.message and "import" in p.message for p in reread.problems)
    assert f"import {source} again with the test-operations-ro mapping" in reread.problems[1].message
    assert stored.path.read_bytes() == damaged and headerless.read_bytes().startswith(b"garbage")
    # What the message says: moved aside, the file is imported again and its records are back.
    stored.path.rename(stored.path.with_suffix(".damaged"))
    again = import_files(load_mapping(MAPPING), [source], reread, "2026-12-02")
    assert not again.files[0].unchanged and len(list(reread.records())) == 3
    fresh = ImportsStore(store.directory)
    assert len(list(fresh.records())) == 3 and [p.path for p in fresh.problems] == [headerless]


def test_forget_drops_every_file_of_the_source_and_refuses_a_name_that_is_a_path(imported, tmp_path):
    _, store, _ = imported
    [stored] = store.files()
    unreadable = stored.path.with_name("0123456789abcdef.jsonl")
    unreadable.write_bytes(b"garbage\n")  # its header cannot say which source it is from: its directory does
    (store.directory / f"{stored.source}.problems.txt").write_text("error: a row\n")
    outside = tmp_path / "victim.problems.txt"
    outside.write_text("kept")
    for source in ("../victim", str(tmp_path / "victim")):
        refused = CliRunner().invoke(app, ["import", source, "--forget", "--imports-dir", str(store.directory)])
        assert refused.exit_code == 2 and "is not a source name" in refused.output and outside.exists()
    command = ["import", str(MAPPING), "--forget", "--imports-dir", str(store.directory)]  # the mapping file's source
    forgot = CliRunner().invoke(app, command)
    assert forgot.exit_code == 0 and f"forgot 2 file(s) of {stored.source}" in forgot.output, forgot.output
    assert not list(store.directory.glob("*/*.jsonl")) and not list(store.directory.glob("*.problems.txt"))


def test_praxis_index_names_the_damaged_lines_of_the_imports_store_and_indexes_the_rest(tmp_path, imported):
    _, store, _ = imported
    stored, _, headerless = damage_store(store)
    root = copy_fixture_corpus(tmp_path / "corpus")
    env = {**os.environ, "PRAXIS_EMBEDDER": "hashing", "PRAXIS_CACHE_DIR": str(tmp_path / "cache"),
           "PRAXIS_IMPORTS_DIR": str(store.directory), "PRAXIS_PRACTICES_DIR": str(root / "practices"),
           "PRAXIS_DOCS_DIR": str(root / "docs"), "PRAXIS_INDEX_DIR": str(root / "index")}  # fmt: skip
    command = [sys.executable, "-m", "praxis", "index"]
    run = subprocess.run(command, env=env, capture_output=True, text=True)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    for line in (f"error: {headerless}:1: header: ", f"error: {stored.path}:3: record: ", f"{stored.path}:5: record: "):
        assert line in run.stderr
    live = LoadedIndex.open(root / "index", None)
    assert sum(d.kind == "project" for d in live.documents) == 3
    strict = subprocess.run([*command, "--strict"], env=env, capture_output=True, text=True)
    assert strict.returncode == 1 and "3 error(s) in the corpus; the live index is unchanged" in strict.stderr
    assert f"error: {stored.path}:3: record: " in strict.stderr
    assert LoadedIndex.open(root / "index", None).build_id == live.build_id


def test_a_file_that_cannot_be_read_fails_the_import_and_every_other_file_is_imported(tmp_path):
    good, missing, folder, rows_only = (tmp_path / name for name in ("good.csv", "no.csv", "dir.csv", "rows.csv"))
    write_list(good)
    folder.mkdir()
    store = tmp_path / "imports"
    command = ["import", str(MAPPING), "--no-index", "--imports-dir", str(store)]
    result = CliRunner().invoke(app, [*command, str(good), str(missing), str(folder)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"error: {missing}: cannot read: No such file or directory" in result.output
    assert f"error: {folder}: cannot read: Is a directory" in result.output and f"{folder}: not read," in result.output
    assert result.output.splitlines()[-1] == "error: 2 of 3 file(s) not read (named above); every other one is imported"
    assert len(list(ImportsStore(store).records())) == 3
    write_list(rows_only, ROWS[3:])  # a row without a title, a value left out: reported, and the import succeeds
    assert CliRunner().invoke(app, [*command, str(rows_only)]).exit_code == 0
    nowhere = tmp_path / "nowhere"
    no_data = CliRunner().invoke(app, ["import", "--all", "--no-index", "--data", str(nowhere)])
    assert no_data.exit_code == 2 and f"--data: {nowhere} is not a directory" in no_data.output


@pytest.mark.parametrize("format", ["xlsx", "xls"])
def test_a_workbook_that_is_not_one_is_a_file_that_cannot_be_read(tmp_path, format):
    garbage = tmp_path / f"list.{format}"
    garbage.write_bytes(b"not a workbook " * 100)
    mapping = load_mapping(MAPPING).model_copy(update={"format": format})
    [problem] = import_files(mapping, [garbage], ImportsStore(tmp_path / "imports"), "2026-12-01").problems
    assert problem.field == "file" and problem.message.startswith(f"cannot read as {format} (")


def test_the_damaged_lines_of_an_export_are_rejected_and_its_other_lines_imported(tmp_path, imported):
    _, store, _ = imported
    lines = [json.dumps(record.to_json(), ensure_ascii=False) for record in store.records()]
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join([lines[0], '{"id": "trunc', "[1, 2]", *lines[1:]]) + "\n", encoding="utf-8")
    report = import_files(find_mapping("praxis"), [export], ImportsStore(tmp_path / "again"), "2026-12-03")
    assert (report.totals()["records"], report.totals()["rejected"], report.files[0].unreadable) == (3, 2, None)
    assert [(p.line, p.field) for p in report.problems] == [(2, "line"), (3, "line")]
    assert "not JSON" in report.problems[0].message and "a JSON list, not an object" in report.problems[1].message


def test_the_records_of_a_json_list_that_are_not_objects_are_reported_and_the_others_imported(tmp_path):
    listing = tmp_path / "list.json"
    good = [{"Titlu proiect": title, "Ţara": "RO"} for title in ("Centru de zi", "Cantină socială")]
    records = [good[0], 7, ["Centru"], "Centru", None, good[1]]
    listing.write_text(json.dumps({"data": {"items": records}}))
    mapping = load_mapping(MAPPING).model_copy(update={"format": "json", "records": "data.items", "encoding": "utf-8"})
    report = import_files(mapping, [listing], ImportsStore(tmp_path / "imports"), "2026-12-01")
    assert (report.totals()["records"], report.totals()["rejected"]) == (2, 4)
    assert [str(p) for p in report.problems] == [
        f"{listing}:{number}: record: a JSON {kind}, not an object: correct the record or remove it"
        for number, kind in [(2, "int"), (3, "list"), (4, "str"), (5, "NoneType")]
    ]


def test_a_json_records_path_that_is_not_there_and_an_imports_dir_that_is_a_file_are_named(tmp_path):
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps({"data": [{"Titlu proiect": "Centru de zi"}]}))
    mapping = load_mapping(MAPPING).model_copy(update={"format": "json", "records": "data.items", "encoding": "utf-8"})
    [problem] = import_files(mapping, [listing], ImportsStore(tmp_path / "imports"), "2026-12-01").problems
    assert problem.field == "file" and "`records` is 'data.items', but on its way is a list" in problem.message
    taken = tmp_path / "taken"
    taken.write_text("")
    result = CliRunner().invoke(app, ["import", str(MAPPING), str(listing), "--no-index", "--imports-dir", str(taken)])
    assert result.exit_code == 2 and f"--imports-dir: cannot create the directory {taken}" in result.output


def test_a_source_without_files_of_its_own_says_where_it_looked_and_what_to_give(tmp_path):
    """`praxis import praxis` reads an export given on the command line: without one it imported
    nothing, said nothing and exited 0."""
    store = tmp_path / "imports"
    arguments = ["import", "praxis", "--no-index", "--data", str(tmp_path), "--imports-dir", str(store)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2 and not store.exists(), result.output
    said = " ".join(result.output.split())
    assert f"praxis: its mapping names no files to look for under --data ({tmp_path})" in said
    assert "give the files: praxis import praxis FILE... (expected: A Praxis export (praxis export" in said


def test_import_indexes_from_the_store_it_wrote_and_keeps_every_files_problems(tmp_path):
    """`--imports-dir` is the store the rebuild reads; the problems file keeps each file's rows."""
    root = copy_fixture_corpus(tmp_path / "corpus")
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_list(first)
    write_list(second, [ROWS[0].replace("SMIS-1", "SMIS-9"), ";Fără titlu;Asociaţia Z;FSE;;;;;;RO;SMIS-10"])
    store, problems = tmp_path / "store", tmp_path / "store" / "test-operations-ro.problems.txt"
    env = {**os.environ, "PRAXIS_EMBEDDER": "hashing", "PRAXIS_CACHE_DIR": str(tmp_path / "cache"),
           "PRAXIS_IMPORTS_DIR": str(tmp_path / "elsewhere"), "PRAXIS_PRACTICES_DIR": str(root / "practices"),
           "PRAXIS_DOCS_DIR": str(root / "docs"), "PRAXIS_INDEX_DIR": str(root / "index")}  # fmt: skip

    def praxis_import(path) -> None:
        command = [sys.executable, "-m", "praxis", "import", str(MAPPING), str(path), "--imports-dir", str(store)]
        run = subprocess.run(command, env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr

    praxis_import(first)
    assert {d.kind for d in LoadedIndex.open(root / "index", None).documents} == {"practice", "page", "project"}
    first_problems = [line for line in problems.read_text().splitlines() if str(first) in line]
    assert first_problems and any(":5: title:" in line for line in first_problems)
    with problems.open("ab") as damaged:  # bytes that are not UTF-8 do not stop the next import
        damaged.write(b"\xff\xfe damaged\n")
    praxis_import(second)
    praxis_import(first)  # unchanged: not read again
    listed = problems.read_text().splitlines()
    assert [line for line in listed if str(first) in line] == first_problems
    assert any(line.startswith(f"error: {second}:3: title:") for line in listed)


@pytest.mark.skipif(not (SHARED / "opendata").is_dir(), reason="needs ../shared/opendata (real lists of operations)")
def test_a_real_list_imports_with_nothing_rejected_but_rows_without_title(tmp_path):
    mapping = find_mapping("hr-esif-2007-2020")
    files = [SHARED / "opendata" / "eu-structural-funds" / name for name in mapping.files]
    report = import_files(mapping, files, ImportsStore(tmp_path / "imports"), "2026-12-01")
    assert report.totals()["rows"] > 2000 and report.totals()["records"] > 1000
    assert all(p.field == "title" for p in report.problems if p.severity == "error")


@pytest.mark.parametrize(
    ("value", "decimal", "expected"),
    [
        ("1.234.567,89", ",", 1234567.89),
        ("1,234,567.89", ".", 1234567.89),
        ("14 861 000 .- HUF", ",", 14861000.0),
        ("576.602 € (31%)", ",", 576602.0),
        ("2,67 mio €", ",", 2670000.0),
        (2500.5, ",", 2500.5),  # a spreadsheet's number is taken as it is, whatever the text separators
        ("", ",", None),
    ],
)
def test_amounts_as_published(value, decimal, expected):
    assert normalise.amount(value, decimal) == expected


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("CI01_103 - Intégration durable ≥ 30 Mbps; 109", ["103", "109"]),
        ("0.94 - Protection", ["94"]),
        ("110", ["110"]),
    ],
)
def test_category_codes_are_read_before_their_labels(value, codes):
    assert normalise.category_codes(value) == codes


def test_not_given_markers_are_empty_values_and_footers_and_skipped_rows_are_left_out(tmp_path):
    rows = [*ROWS[:1], "Total;;;;;;;;;;", "Legend: FSE = Fondul Social European;;;;;;;;;;"]
    rows[0] = rows[0].replace(";FSE;", ";n/a;")
    source = tmp_path / "list.csv"
    write_list(source, rows)
    base = load_mapping(MAPPING).model_dump()
    mapping = type(load_mapping(MAPPING)).model_validate(
        {**base, "last_row": 3, "skip_when": {"Titlu proiect": ["Total"]}}
    )
    store = ImportsStore(tmp_path / "imports")
    report = import_files(mapping, [source], store, "2026-12-01")
    assert report.totals() == {
        "rows": 2,
        "records": 1,
        "rejected": 0,
        "skipped": 1,
        "warnings": 0,
        "duplicates_within": 0,
    }
    assert next(store.records()).meta["funds"] == []


def test_detected_languages_are_kept_only_among_those_the_mapping_allows(tmp_path):
    source = tmp_path / "list.csv"
    english = "Housing First for homeless people;Homeless people move straight into flats of their own with support"
    write_list(source, [f"{english};Primăria Cluj;FSE;110;;;;;RO;SMIS-9"])
    base = load_mapping(MAPPING).model_dump()
    for allowed, expected in (([], "en"), (["ro", "hu"], "ro")):
        mapping = type(load_mapping(MAPPING)).model_validate({**base, "detect_language": True, "languages": allowed})
        store = ImportsStore(tmp_path / f"imports-{expected}")
        import_files(mapping, [source], store, "2026-12-01")
        assert next(store.records()).language == expected


def test_projects_score_partly_by_raw_similarity_in_hybrid_and_practices_not(tmp_path, hashing, imported):
    """project_raw_similarity mixes a project's centred and raw similarities (as z-scores over the
    query's background, on the centred scale); practices, and semantic mode, keep the centred one."""
    from engine.search import Query, search
    from indexer.facets import Filters

    _, store, _ = imported
    root = copy_fixture_corpus(tmp_path)
    build_index(build_request(root, imports_dir=store.directory), hashing)
    index = LoadedIndex.open(root / "index", hashing)
    text = "servicii sociale și locuințe pentru comunităţi rome"

    def dense(mode: str, weight: float) -> dict[str, tuple[str, float]]:
        both = Filters(kinds=["practice", "project"])
        query = Query(text, mode, both, centre=True, feedback=False, project_raw_similarity=weight, page_size=50)
        hits = search(index, hashing, query).results
        return {
            hit["id"]: (hit["kind"], hit["explanation"]["dense_score"])
            for hit in hits
            if hit["explanation"]["dense_score"]
        }

    plain, half, raw = dense("hybrid", 0.0), dense("hybrid", 0.5), dense("hybrid", 1.0)
    practices = {key for key, (kind, _) in plain.items() if kind == "practice"}
    projects = {key for key, (kind, _) in plain.items() if kind == "project"} & set(half) & set(raw)
    assert practices and projects
    assert all(half.get(key) == plain[key] == raw.get(key) for key in practices if key in half and key in raw)
    assert any(raw[key][1] != plain[key][1] for key in projects)
    for key in projects:  # the mix is linear in its weight
        assert half[key][1] == pytest.approx((plain[key][1] + raw[key][1]) / 2, abs=2e-4)
    assert dense("semantic", 1.0) == dense("semantic", 0.0)
