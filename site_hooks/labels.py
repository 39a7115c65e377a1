"""Names of vocabulary terms, languages and countries in a reader's language.

In: the taxonomy and a language code. Out: :class:`Labels`, which names a term as the
taxonomy labels it in that language (else in English, else its key), a language by its
own name ("Română"), so that readers recognise their language whatever the page's, and
a country in the reader's language (pycountry's translations, else English).
"""

import gettext
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from indexer.taxonomy import Taxonomy

AUTONYMS = {
    "de": "Deutsch",
    "el": "Ελληνικά",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "hu": "Magyar",
    "it": "Italiano",
    "pl": "Polski",
    "pt": "Português",
    "ro": "Română",
}
"""The taxonomy's languages by their own names; pycountry has no autonyms."""


@lru_cache(maxsize=32)
def _country_names(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def language_name(code: str) -> str:
    """A language's own name, or its English name for languages outside the taxonomy."""
    if code in AUTONYMS:
        return AUTONYMS[code]
    found = pycountry.languages.get(alpha_2=code)
    return found.name if found else code


@dataclass(frozen=True)
class Labels:
    """Labels for one reader's language."""

    taxonomy: Taxonomy
    language: str = "en"

    def term(self, vocabulary: str, key: str) -> str:
        return self.taxonomy.label(vocabulary, key, self.language)

    def country(self, code: str) -> str:
        found = pycountry.countries.get(alpha_2=code)
        if found is None:
            return code
        return _country_names(self.language).gettext(found.name)
