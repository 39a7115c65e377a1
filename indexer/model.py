"""The practice format as a pydantic model.

In: a front-matter mapping, validated with ``context={"taxonomy": Taxonomy}`` so that
vocabulary terms are checked against ``taxonomy.yml``. Out: a :class:`PracticeMeta`, or a
pydantic ``ValidationError`` whose locations are front-matter key paths.
:func:`json_schema` exports the JSON Schema (with the taxonomy's terms as enums) for editors.
"""

import datetime as dt
import re
from typing import Annotated, Any, Literal

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, ValidationInfo, field_validator

from indexer.taxonomy import Taxonomy

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$"
ID_MAX_LENGTH = 80
"""The longest id ID_PATTERN matches, stated for what bounds a request by length."""
FUNDS = (
    "ESF",
    "ESF+",
    "ERDF",
    "CF",
    "YEI",
    "EEA Grants",
    "Norway Grants",
    "AMIF",
    "Erasmus+",
    "national",
    "regional",
    "municipal",
    "private",
    "other",
)


def _language_code(code: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", code) or pycountry.languages.get(alpha_2=code) is None:
        raise ValueError(f"'{code}' is not an ISO 639-1 language code (two lowercase letters, e.g. 'ro')")
    return code


def _country_code(code: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", code) or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code (two capitals, e.g. 'HU')")
    return code


LanguageCode = Annotated[str, AfterValidator(_language_code)]
CountryCode = Annotated[str, AfterValidator(_country_code)]
PracticeId = Annotated[str, Field(pattern=ID_PATTERN, description="Stable slug: lowercase letters, digits, '-'")]


def _check_terms(vocabulary: str, terms: list[str] | str | None, info: ValidationInfo):
    """Raise on any term not in the taxonomy's vocabulary (skipped without a taxonomy)."""
    taxonomy: Taxonomy | None = (info.context or {}).get("taxonomy")
    if taxonomy is None or terms is None:
        return terms
    problem = taxonomy.unknown_terms(vocabulary, [terms] if isinstance(terms, str) else terms)
    if problem:
        raise ValueError(problem)
    return terms


class Strict(BaseModel):
    """Unknown keys are errors: they are almost always typos."""

    model_config = ConfigDict(extra="forbid")


class Period(Strict):
    start: int = Field(ge=1950, le=2100)
    end: int | Literal["ongoing"] | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end, info: ValidationInfo):
        if isinstance(end, int) and "start" in info.data and end < info.data["start"]:
            raise ValueError(f"end year {end} is before start year {info.data['start']}")
        return end


class Evidence(Strict):
    level: str = Field(description="Project-wide evidence scale (taxonomy: evidence_levels)")
    native_label: str | None = Field(None, description="The label the practice received elsewhere")
    native_scale: str | None = Field(None, description="Whose scale the native label belongs to")
    basis: str | None = Field(None, description="What the evidence rests on")

    _level = field_validator("level")(lambda cls, v, info: _check_terms("evidence_levels", v, info))


class Validation(Strict):
    status: str = Field(description="taxonomy: validation_statuses")
    reviewers: list[str] = []
    date: dt.date | None = Field(None, description="Date of the last review")
    next_review: dt.date | None = None
    criteria: dict[str, str] = Field({}, description="Result per criterion key (taxonomy: criteria)")
    notes: list[str] = Field([], description="Reviewers' remarks, e.g. the reasons for a rejection")

    _status = field_validator("status")(lambda cls, v, info: _check_terms("validation_statuses", v, info))

    @field_validator("criteria")
    @classmethod
    def _known_criteria(cls, criteria: dict[str, str], info: ValidationInfo):
        _check_terms("criteria", list(criteria), info)
        taxonomy: Taxonomy | None = (info.context or {}).get("taxonomy")
        if taxonomy:
            bad = {k: v for k, v in criteria.items() if v not in taxonomy.criterion_results}
            if bad:
                raise ValueError(f"unknown result(s) {bad}; use one of: {', '.join(taxonomy.criterion_results)}")
        return criteria


class Source(BaseModel):
    """A citation: a title and/or URL, plus any external ids (e.g. ``kohesio: Q3893977``)."""

    model_config = ConfigDict(extra="allow")
    title: str | None = None
    url: HttpUrl | None = None


class PracticeMeta(Strict):
    """The front matter of one practice write-up."""

    id: PracticeId
    title: str = Field(min_length=3, max_length=300)
    language: LanguageCode = Field(description="ISO 639-1 code of this write-up")
    summary: str | None = Field(None, max_length=1500)
    countries: list[CountryCode] = []
    region: str | None = None
    organisation: str | None = None
    programme: str | None = None
    fund: Literal[FUNDS] | None = None  # type: ignore[valid-type]
    period: Period | None = None
    themes: list[str] = []
    target_groups: list[str] = []
    methods: list[str] = []
    evidence: Evidence | None = None
    validation: Validation | None = None
    cost: str | None = None
    outcomes: list[str] = []
    sources: list[Source] = []
    contact: str | None = None
    translation_of: PracticeId | None = Field(None, description="Id of the original, on translations only")

    _themes = field_validator("themes")(lambda cls, v, info: _check_terms("themes", v, info))
    _groups = field_validator("target_groups")(lambda cls, v, info: _check_terms("target_groups", v, info))
    _methods = field_validator("methods")(lambda cls, v, info: _check_terms("methods", v, info))

    @property
    def group_id(self) -> str:
        """The id shared by all language versions of this practice: the original's."""
        return self.translation_of or self.id


def json_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    """JSON Schema of the front matter, with the taxonomy's terms as enums for editors."""
    schema = PracticeMeta.model_json_schema()
    schema["title"] = "Praxis practice front matter"
    props, defs = schema["properties"], schema["$defs"]
    for name in ("themes", "target_groups", "methods"):
        props[name]["items"] = {"type": "string", "enum": taxonomy.terms(name)}
    defs["Evidence"]["properties"]["level"]["enum"] = taxonomy.terms("evidence_levels")
    defs["Validation"]["properties"]["status"]["enum"] = taxonomy.terms("validation_statuses")
    defs["Validation"]["properties"]["criteria"]["propertyNames"] = {"enum": taxonomy.terms("criteria")}
    defs["Validation"]["properties"]["criteria"]["additionalProperties"] = {
        "type": "string",
        "enum": list(taxonomy.criterion_results),
    }
    return schema
