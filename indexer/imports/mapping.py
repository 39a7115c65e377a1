"""The declarative mapping of one source: how to read its files and which column means what.

In: a YAML file (the built-in ones are in ``indexer/imports/sources/``). Out: a
:class:`SourceMapping`; a file that does not fit is a :class:`MappingError` naming the file
and the field.
"""

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SOURCES_DIR = Path(__file__).resolve().parent / "sources"
Column = str | list[str]
"""A column name, or several whose non-empty values are joined (". ")."""


class MappingError(ValueError):
    pass


class Columns(BaseModel):
    """Which column holds each field (missing: the source has no such column)."""

    model_config = ConfigDict(extra="forbid")
    title: Column
    summary: Column | None = None
    beneficiary: Column | None = None
    programme: Column | None = None
    fund: Column | None = None
    category: Column | None = Field(None, description="Category of intervention code(s), Reg. (EU) 215/2014 Annex I")
    thematic_objective: Column | None = None
    start: Column | None = None
    end: Column | None = None
    amount: Column | None = Field(None, description="Total eligible expenditure")
    eu_amount: Column | None = Field(None, description="Union contribution")
    currency: Column | None = None
    country: Column | None = None
    region: Column | None = None
    nuts: Column | None = None
    source_id: Column | None = None
    url: Column | None = None
    language: Column | None = None


SOURCE_NAME = r"^[a-z0-9][a-z0-9-]{1,60}$"
"""A source's name: also the imports store's directory for it, so never a path."""


class SourceMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=SOURCE_NAME)
    description: str
    format: Literal["csv", "json", "jsonl", "xlsx", "xls", "praxis"]
    """"praxis": a `praxis export --format jsonl` file, whose records are taken back as they are."""
    files: list[str] = Field([], description="The files this mapping is for, relative to the data directory")
    encoding: str = "utf-8"
    separator: str = ","
    sheet: str | int = 0
    header_row: int = Field(1, ge=1, description="Row of the column names (1 = first)")
    last_row: int | None = Field(None, ge=2, description="Last row of data (a legend or footer follows it)")
    skip_when: dict[str, list[str]] = Field(
        {},
        description="Rows left out, not as errors: column to values (exact, or 're:' and a regular expression), "
        "e.g. totals or rejected applications",
    )
    records: str | None = Field(None, description="JSON: dotted path to the list of records (none: the top level)")
    columns: Columns | None = None
    """Required for every format but "praxis"."""
    country: str | None = Field(None, description="Country of every row (EU or ISO code) when no column says")
    language: str | None = Field(None, description="Language of every row (ISO 639-1) when no column says")
    detect_language: bool = Field(False, description="Detect each row's language, the default where unsure")
    languages: list[str] = Field([], description="With detect_language: the languages a row may be in (all if empty)")
    currency: str = "EUR"
    fund: str | None = Field(None, description="Fund of every row when no column says")
    programme: str | None = Field(None, description="Programme of every row when no column says")
    region: str | None = Field(None, description="Region of every row when no column says")
    period: str | None = Field(None, description="Programming period, e.g. 2014-2020")
    fund_names: dict[str, str] = Field({}, description="The source's fund names onto Praxis's fund vocabulary")
    date_formats: list[str] = Field([], description="strptime formats tried first (common ones follow)")
    decimal: Literal[".", ","] = "."
    url_template: str | None = Field(None, description="A record's URL from its source id: '...{source_id}...'")

    @model_validator(mode="after")
    def _columns_given(self) -> "SourceMapping":
        if self.columns is None and self.format != "praxis":
            raise ValueError("columns: say which column holds each field (at least the title)")
        return self

    def named_columns(self) -> list[str]:
        """Every column the mapping reads (its fields' and skip_when's), each once, in its order."""
        fields = self.columns.model_dump().values() if self.columns else []
        names = [name for column in fields if column for name in ([column] if isinstance(column, str) else column)]
        return list(dict.fromkeys([*names, *self.skip_when]))


def load_mapping(path: Path) -> SourceMapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return SourceMapping.model_validate(data)
    except OSError as error:
        raise MappingError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        message = f"{path}: not UTF-8 text: a mapping is a YAML file (see docs/contributing/imports.md)"
        raise MappingError(message) from None
    except yaml.YAMLError as error:
        raise MappingError(f"{path}: malformed YAML: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "mapping"
        raise MappingError(f"{path}: {field}: {first['msg']} (see docs/contributing/imports.md)") from None


def builtin_sources() -> dict[str, Path]:
    """The shipped mappings by source name."""
    return {path.stem: path for path in sorted(SOURCES_DIR.glob("*.yml"))}


def find_mapping(source: str) -> SourceMapping:
    """A built-in source by name, or a mapping file by path."""
    known = builtin_sources()
    if source in known:
        return load_mapping(known[source])
    path = Path(source)
    if path.suffix in (".yml", ".yaml") and path.is_file():
        return load_mapping(path)
    raise MappingError(f"unknown source '{source}': give a mapping file (.yml) or one of {', '.join(known) or 'none'}")
