"""Cleaning the values of published lists: text, countries, funds, dates, amounts, codes, themes.

In: one cell's value as read and what the mapping says of it. Out: the value in Praxis's
terms, or a :class:`Unusable` whose message says what was wrong and what to do. Mojibake is
repaired with ftfy where it can be detected; control characters (C0, C1) become spaces.
"""

import datetime as dt
import re
import unicodedata

import ftfy
import pycountry

from indexer.model import FUNDS


class Unusable(ValueError):
    """A value that cannot be used; the message says why and what to do."""


EU_COUNTRY_CODES = {"EL": "GR", "UK": "GB"}
"""The EU's own codes (Interinstitutional Style Guide) where they differ from ISO 3166-1."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
MAX_TEXT = 20_000
NOT_GIVEN = {"-", "--", "n/a", "n.a.", "na", "n.c", "n.c.", "nr", "nd", "n.d.", "?", "/", "none", "null"}
"""Cell values that say "not given": an empty value, not a problem."""


def text(value: object, encoding: str) -> str:
    """Readable text: mojibake repaired, control characters and runs of spaces folded, trimmed."""
    raw = "" if value is None else str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if any("\udc80" <= char <= "\udcff" for char in raw):
        raise Unusable(f"bytes that are not {encoding}: set `encoding` in the mapping to the file's encoding")
    # Repair mojibake only: quotes, ligatures and widths are the publisher's ("t‚cnico" is not "t'cnico").
    cleaned = ftfy.fix_text(
        raw, uncurl_quotes=False, fix_latin_ligatures=False, fix_character_width=False, normalization="NFC"
    )
    cleaned = _SPACES.sub(" ", _CONTROL.sub(" ", cleaned.replace("_x000D_", "\n")))  # Excel's escaped CR
    cleaned = "\n".join(line.strip() for line in cleaned.splitlines() if line.strip())[:MAX_TEXT]
    return "" if cleaned.casefold() in NOT_GIVEN else cleaned


def country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code from an EU or ISO code or an English country name."""
    code = value.strip().upper()
    code = EU_COUNTRY_CODES.get(code, code)
    try:
        return pycountry.countries.lookup(code if len(code) in (2, 3) else value.strip()).alpha_2
    except LookupError:
        raise Unusable(f"'{value}' is not a country code or name (use ISO 3166-1, e.g. HR, or EL/UK)") from None


_FUND_ALIASES = {
    "ESF": ("esf", "fse", "efs", "esz", "ese", "europski socijalni fond", "european social fund"),
    "ESF+": ("esf+", "fse+", "efs+"),
    "ERDF": ("erdf", "feder", "efrr", "eruf", "efre", "eraf", "efrd", "european regional development fund"),
    "CF": ("cf", "fc", "kf", "kohezijski fond", "cohesion fund", "fundo de coesão", "fondo de cohesión"),
    "YEI": ("yei", "iej", "ige", "ioj", "youth employment initiative"),
}
_FUND_BY_ALIAS = {alias: fund for fund, aliases in _FUND_ALIASES.items() for alias in aliases}


def funds(value: str, names: dict[str, str]) -> list[str]:
    """The funds a value names ("ERDF, ESF", "FEDER", "ESF+", a national name from the mapping)."""
    value = value.strip()
    if not value:
        return []

    def one(name: str) -> str | None:
        return names.get(name) or _FUND_BY_ALIAS.get(name.casefold())

    whole = one(value)
    found = [whole] if whole else [one(part) for part in re.split(r"\s*[,;/&]\s*", value) if part]
    if None in found:
        raise Unusable(f"fund '{value}' is not known: add it to `fund_names` in the mapping")
    unknown = [fund for fund in found if fund not in FUNDS]
    if unknown:
        raise Unusable(f"fund_names maps onto '{unknown[0]}', which is not one of {', '.join(FUNDS)}")
    return list(dict.fromkeys(found))


_COMMON_DATES = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%y", "%Y-%m-%dT%H:%M:%S", "%Y%m%d")


def date(value: str, formats: list[str], end: bool = False) -> dt.date | None:
    """A date from the mapping's formats, then common unambiguous ones; a year alone is 1 January
    (31 December for an `end`)."""
    value = value.strip().rstrip(".")
    if not value:
        return None
    value = value.split(" ")[0] if re.match(r"\d{4}-\d\d-\d\d \d", value) else value
    if re.fullmatch(r"(19|20)\d\d", value):
        return dt.date(int(value), 12, 31) if end else dt.date(int(value), 1, 1)
    for pattern in (*formats, *_COMMON_DATES):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise Unusable(f"'{value}' is not a date in a known format: add its format to `date_formats` in the mapping")


def amount(value: str | float, decimal: str) -> float | None:
    """A number from "1.234.567,89", "1 234 567.89", "€ 1,234", ... (a spreadsheet's number as it is)."""
    if isinstance(value, int | float):
        return round(float(value), 2)
    millions = re.search(r"\b(mio|million|millions|mln|milj)\b", value, re.IGNORECASE)
    value = re.sub(r"\([^)]*\)", "", value)  # "576.602 € (31%)": the share is not part of the amount
    cleaned = re.sub(r"[.,]-+$", "", re.sub(r"[^\d,.\-]", "", value))  # "14 861 000 .- HUF": ".-" is no decimal
    if not re.search(r"\d", cleaned):
        if value.strip():
            raise Unusable(f"'{value}' is not an amount (no digits)")
        return None
    thousands = "." if decimal == "," else ","
    cleaned = cleaned.replace(thousands, "").replace(decimal, ".")
    try:
        return round(float(cleaned) * (1_000_000 if millions else 1), 2)
    except ValueError:
        raise Unusable(f"'{value}' is not an amount (decimal separator '{decimal}' in the mapping)") from None


_NUTS = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")


def nuts(value: str) -> str:
    code = value.strip().upper().replace(" ", "")
    if not _NUTS.match(code):
        raise Unusable(f"'{value}' is not a NUTS code (two letters and up to three characters, e.g. HR03)")
    return code


# Codes of the categories of intervention that name a theme of ours outright.
# 2014-2020: Reg. (EU) 215/2014, Annex I, table 1 (intervention field); 2007-2013: Reg. (EC) 1828/2006, Annex II.
CATEGORY_THEMES_2014 = {
    "049": ["education"], "050": ["education"], "051": ["education"], "052": ["education"],
    "053": ["health"], "054": ["housing"], "055": ["social-services"],
    "102": ["employment"], "103": ["employment"], "104": ["employment"], "105": ["gender-equality"],
    "106": ["employment"], "108": ["employment"], "109": ["poverty"], "110": ["roma-inclusion"],
    "112": ["social-services", "health"], "113": ["social-economy"], "114": ["community-development"],
    "115": ["education"], "116": ["education"], "117": ["education"], "118": ["education"],
}  # fmt: skip
CATEGORY_THEMES_2007 = {
    "66": ["employment"], "69": ["gender-equality"], "70": ["migrant-integration"], "71": ["employment"],
    "72": ["education"], "73": ["education"], "74": ["education"], "75": ["education"], "76": ["health"],
    "77": ["education"], "78": ["housing"], "79": ["social-services"],
}  # fmt: skip
THEMATIC_OBJECTIVE_THEMES = {8: ["employment"], 9: ["poverty"], 10: ["education"]}
"""Reg. (EU) 1303/2013 Art. 9: TO8 employment, TO9 social inclusion and poverty, TO10 education."""


def category_codes(value: str) -> list[str]:
    """The codes in "103 - Sustainable integration ...; 109", "CI01_103 - ...", "0.94 - Protection ...":
    the number before each label, never numbers inside the label ("≥ 30 Mbps")."""
    heads = [part.split(" - ")[0] for part in re.split(r"[;\n|]", value)]
    return [found[-1].lstrip("0").zfill(2) for head in heads if (found := re.findall(r"(?<!\d)\d{2,3}(?!\d)", head))]


def themes_of(categories: list[str], objectives: list[int], period: str | None) -> list[str]:
    """Our themes for the codes a record carries, where the code names the theme."""
    if period and period.startswith("2007"):
        found = [theme for code in categories for theme in CATEGORY_THEMES_2007.get(code, [])]
    else:
        found = [theme for code in categories for theme in CATEGORY_THEMES_2014.get(code.zfill(3), [])]
    found += [theme for number in objectives for theme in THEMATIC_OBJECTIVE_THEMES.get(number, [])]
    return list(dict.fromkeys(found))


def thematic_objectives(value: str) -> list[int]:
    numbers = [int(number) for number in re.findall(r"\d{1,2}", value)]
    return [number for number in numbers if 1 <= number <= 11]


def key_text(value: str) -> str:
    """Text for comparing records: no accents, case or punctuation."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return " ".join(re.findall(r"\w+", "".join(c for c in decomposed if not unicodedata.combining(c))))
